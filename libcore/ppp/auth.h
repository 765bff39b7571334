// The authentication phase (RFC 1661 §3.5) as task objects (STYLE.md #8): one per direction
// and protocol, each with a private step enum and start/input/on_timer entry points that
// return Step (need_more / done / failed with the reason).
//
//   PAP (RFC 1334 §2):        client sends Authenticate-Request (retransmitted) -> Ack / Nak
//   CHAP-MD5 (RFC 1994 §4):   server Challenge (retransmitted) -> Response = MD5(ID|secret|challenge)
//                             (retransmitted until the verdict arrives) -> Success / Failure
//   MS-CHAPv2 (RFC 2759):     as CHAP, with the 49-octet Response (§4), "S=" authenticator
//                             response in Success (§5) checked by the client, "E=" in Failure (§6)
//
// A server task keeps its last answer and sends it again for a retransmitted request with the
// same Identifier (RFC 1994 §4.1: the peer may not have seen our Success).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/secure_bytes.h"
#include "ppp/common.h"
#include "ppp/users.h"
#include "wire/ppp_cp.h"

namespace ipseckit::ppp {

struct AuthConfig {
  Millis retry{3000};       // retransmission interval of Challenge / Authenticate-Request
  unsigned max_tries = 10;  // transmissions before giving up
};

// What a successful authentication yields.
struct AuthResult {
  std::string user;                               // server: the authenticated name
  std::optional<wire::IpAddr> static_address;     // server: from the user database
  bool no_address = false;                        // server: "-" in the users file
  std::optional<std::array<std::uint8_t, 16>> mppe_master_key;  // MS-CHAPv2 (RFC 3079 §3.4)
};

class AuthTask {
 public:
  using Send = std::function<void(const wire::CpPacket&)>;
  virtual ~AuthTask() = default;
  virtual Step start(Millis now) = 0;
  virtual Step input(const wire::CpPacket& p, Millis now) = 0;
  virtual Step on_timer(Millis now) = 0;
  virtual std::optional<Millis> deadline() const = 0;
  virtual std::uint16_t protocol() const = 0;  // 0xC023 (PAP) or 0xC223 (CHAP)
  const AuthResult& result() const { return m_result; }

 protected:
  AuthResult m_result;
};

struct AuthServerParams {
  AuthProtocol protocol = AuthProtocol::mschap_v2;
  const UserDb* users = nullptr;
  std::string server_name = "ipseckit";  // CHAP Name; matched against the users' server field
  AuthConfig config;
};

struct AuthClientParams {
  AuthProtocol protocol = AuthProtocol::mschap_v2;
  std::string user;
  SecureBytes password;
  AuthConfig config;
};

std::unique_ptr<AuthTask> make_auth_server(AuthServerParams p, AuthTask::Send send, Env env);
std::unique_ptr<AuthTask> make_auth_client(AuthClientParams p, AuthTask::Send send, Env env);

// Text shown for an MS-CHAP E= code (RFC 2759 §6).
std::string mschap_error_text(std::uint32_t code);

}  // namespace ipseckit::ppp
