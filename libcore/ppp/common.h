// Shared vocabulary of the PPP engine: time and the injected environment, roles,
// authentication protocols and task results.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"

namespace ipseckit::ppp {

using Millis = std::chrono::milliseconds;

// The engine never reads a clock or an RNG of its own (STYLE.md #10).
struct Env {
  std::function<Millis()> now;
  std::function<void(std::uint8_t*, std::size_t)> random;
};

// server = the authenticator (the LNS's side), client = the peer being authenticated.
enum class Role { client, server };

enum class AuthProtocol { pap, chap_md5, mschap_v2 };
std::string name(AuthProtocol p);  // "PAP", "CHAP-MD5", "MS-CHAPv2"

// What a task (an authentication exchange) says after each input (STYLE.md #8).
struct Step {
  enum class Kind { need_more, done, failed };
  Kind kind = Kind::need_more;
  std::optional<Error> error;  // failed: why, with the protocol's code in proto when there is one

  static Step more() { return {}; }
  static Step ok() { return {Kind::done, std::nullopt}; }
  static Step fail(Error e) { return {Kind::failed, std::move(e)}; }
};

// Error codes of the engine:
//   ppp.lcp_timeout     LCP did not open (peer silent or never agreeing)
//   ppp.echo_timeout    the peer stopped answering LCP Echo-Requests
//   ppp.loopback        our own Magic-Number came back (looped link)
//   ppp.no_auth         no authentication protocol both sides accept
//   ppp.auth_failed     authentication refused (wrong password, unknown user); proto = MS-CHAP E= code
//   ppp.auth_timeout    authentication did not complete in time
//   ppp.ipcp_failed     IPCP could not agree (no address, peer refused ours)
//   ppp.no_address      the address pool is exhausted
//   ppp.terminated      the peer sent Terminate-Request
//   ppp.lower_down      the carrier (the L2TP session) went away
//   ppp.closed          closed locally
//   ppp.protocol_reject the peer rejected LCP or IPCP (Protocol-Reject / Code-Reject)

}  // namespace ipseckit::ppp
