// The concrete authentication tasks behind make_auth_server / make_auth_client. Each keeps a
// private step: what it waits for next (the "expected next message" guard).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "ppp/auth.h"

namespace ipseckit::ppp {

std::string printable(std::string_view s);  // peer text for logs and errors

class PapServer final : public AuthTask {
 public:
  PapServer(AuthServerParams p, Send send, Env env);
  Step start(Millis now) override;
  Step input(const wire::CpPacket& p, Millis now) override;
  Step on_timer(Millis now) override;
  std::optional<Millis> deadline() const override { return m_deadline; }
  std::uint16_t protocol() const override { return 0xC023; }

 private:
  enum class StepKind { wait_request, done, failed };
  AuthServerParams m_params;
  Send m_send;
  Env m_env;
  StepKind m_step = StepKind::wait_request;
  std::optional<wire::CpPacket> m_reply;
  std::optional<Millis> m_deadline;
};

class PapClient final : public AuthTask {
 public:
  PapClient(AuthClientParams p, Send send, Env env);
  Step start(Millis now) override;
  Step input(const wire::CpPacket& p, Millis now) override;
  Step on_timer(Millis now) override;
  std::optional<Millis> deadline() const override { return m_deadline; }
  std::uint16_t protocol() const override { return 0xC023; }

 private:
  enum class StepKind { wait_answer, done, failed };
  Step transmit(Millis now);
  AuthClientParams m_params;
  Send m_send;
  Env m_env;
  StepKind m_step = StepKind::wait_answer;
  wire::CpPacket m_request;
  unsigned m_tries = 0;
  std::optional<Millis> m_deadline;
};

// CHAP with MD5 (RFC 1994) or MS-CHAPv2 (RFC 2759), authenticator side.
class ChapServer final : public AuthTask {
 public:
  ChapServer(AuthServerParams p, Send send, Env env);
  Step start(Millis now) override;
  Step input(const wire::CpPacket& p, Millis now) override;
  Step on_timer(Millis now) override;
  std::optional<Millis> deadline() const override { return m_deadline; }
  std::uint16_t protocol() const override { return 0xC223; }

 private:
  enum class StepKind { challenge_sent, done, failed };
  Step transmit(Millis now);
  Step check_md5(const wire::CpPacket& p, const std::string& name, ByteView value);
  Step check_mschapv2(const wire::CpPacket& p, const std::string& name, ByteView value);
  Step answer(const wire::CpPacket& request, bool ok, std::string message, std::optional<Error> err);
  AuthServerParams m_params;
  Send m_send;
  Env m_env;
  StepKind m_step = StepKind::challenge_sent;
  std::array<std::uint8_t, 16> m_challenge{};
  wire::CpPacket m_challenge_packet;
  std::optional<wire::CpPacket> m_reply;
  unsigned m_tries = 0;
  std::optional<Millis> m_deadline;
};

// CHAP with MD5 or MS-CHAPv2, the peer being authenticated.
class ChapClient final : public AuthTask {
 public:
  ChapClient(AuthClientParams p, Send send, Env env, Millis timeout);
  Step start(Millis now) override;
  Step input(const wire::CpPacket& p, Millis now) override;
  Step on_timer(Millis now) override;
  std::optional<Millis> deadline() const override { return m_deadline; }
  std::uint16_t protocol() const override { return 0xC223; }

 private:
  enum class StepKind { wait_challenge, response_sent, done, failed };
  Step respond(const wire::CpPacket& challenge);
  Step on_result(const wire::CpPacket& p);
  AuthClientParams m_params;
  Send m_send;
  Env m_env;
  Millis m_timeout;
  StepKind m_step = StepKind::wait_challenge;
  std::optional<wire::CpPacket> m_response;
  Bytes m_auth_challenge;
  std::array<std::uint8_t, 16> m_peer_challenge{};
  std::array<std::uint8_t, 24> m_nt_response{};
  unsigned m_tries = 0;
  std::optional<Millis> m_deadline;
};

}  // namespace ipseckit::ppp
