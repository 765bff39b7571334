// PAP (RFC 1334 §2): the peer sends its name and password in clear; the authenticator
// answers Authenticate-Ack or -Nak.
#include <fmt/format.h>

#include "base/log.h"
#include "crypto/random.h"
#include "ppp/auth.h"
#include "ppp/auth_tasks.h"
#include "wire/ppp_auth.h"
#include "wire/ppp_frame.h"

namespace ipseckit::ppp {

using wire::PapCode;

namespace {

constexpr std::uint8_t code(PapCode c) { return static_cast<std::uint8_t>(c); }

}  // namespace

// ---- authenticator ----------------------------------------------------------------------

PapServer::PapServer(AuthServerParams p, Send send, Env env)
    : m_params(std::move(p)), m_send(std::move(send)), m_env(std::move(env)) {}

Step PapServer::start(Millis now) {
  // The peer speaks first; it has until the deadline.
  m_deadline = now + m_params.config.retry * m_params.config.max_tries;
  return Step::more();
}

Step PapServer::input(const wire::CpPacket& p, Millis) {
  if (p.code != code(PapCode::authenticate_request)) return Step::more();
  if (m_step != StepKind::wait_request) {
    // A retransmitted request: the peer did not see our answer.
    if (m_reply && p.id == m_reply->id) m_send(*m_reply);
    return Step::more();
  }
  auto req = wire::parse_pap_request(p.data);
  if (!req) return Step::more();  // malformed: ignored, the peer retransmits
  const auto entry = m_params.users ? m_params.users->find(req->peer_id, m_params.server_name) : std::nullopt;
  const bool ok = entry && entry->secret.size() == req->password.size() &&
                  crypto::equal_ct(ByteView(entry->secret.data(), entry->secret.size()),
                                   ByteView(req->password.data(), req->password.size()));
  m_reply = wire::CpPacket{code(ok ? PapCode::authenticate_ack : PapCode::authenticate_nak), p.id,
                           wire::serialize_pap_message(ok ? "Login ok" : "Login incorrect")};
  m_send(*m_reply);
  m_deadline.reset();
  if (!ok) {
    m_step = StepKind::failed;
    return Step::fail(Error::make("ppp.auth_failed",
                                  entry ? fmt::format("PAP: wrong password for user \"{}\"", req->peer_id)
                                        : fmt::format("PAP: unknown user \"{}\"", req->peer_id)));
  }
  m_step = StepKind::done;
  m_result.user = req->peer_id;
  m_result.static_address = entry->address;
  m_result.no_address = entry->no_address;
  return Step::ok();
}

Step PapServer::on_timer(Millis now) {
  if (m_step != StepKind::wait_request || !m_deadline || now < *m_deadline) return Step::more();
  m_step = StepKind::failed;
  m_deadline.reset();
  return Step::fail(Error::make("ppp.auth_timeout", "PAP: the peer sent no Authenticate-Request"));
}

// ---- peer -------------------------------------------------------------------------------

PapClient::PapClient(AuthClientParams p, Send send, Env env)
    : m_params(std::move(p)), m_send(std::move(send)), m_env(std::move(env)) {}

Step PapClient::start(Millis now) {
  auto data = wire::serialize_pap_request(m_params.user, ByteView(m_params.password.data(), m_params.password.size()));
  if (!data) return Step::fail(Error::make("ppp.auth_failed", "PAP: " + data.error().message));
  std::uint8_t id = 0;
  m_env.random(&id, 1);
  m_request = wire::CpPacket{code(PapCode::authenticate_request), id, std::move(data.value())};
  return transmit(now);
}

Step PapClient::transmit(Millis now) {
  if (m_tries >= m_params.config.max_tries) {
    m_step = StepKind::failed;
    m_deadline.reset();
    return Step::fail(Error::make("ppp.auth_timeout",
                                  fmt::format("PAP: no answer to {} Authenticate-Requests", m_tries)));
  }
  ++m_tries;
  m_send(m_request);
  m_deadline = now + m_params.config.retry;
  return Step::more();
}

Step PapClient::input(const wire::CpPacket& p, Millis) {
  if (m_step != StepKind::wait_answer || p.id != m_request.id) return Step::more();
  const bool ack = p.code == code(PapCode::authenticate_ack);
  if (!ack && p.code != code(PapCode::authenticate_nak)) return Step::more();
  m_deadline.reset();
  auto msg = wire::parse_pap_message(p.data);
  const std::string text = msg ? *msg : std::string();
  if (ack) {
    m_step = StepKind::done;
    m_result.user = m_params.user;
    return Step::ok();
  }
  m_step = StepKind::failed;
  return Step::fail(Error::make("ppp.auth_failed",
                                fmt::format("PAP: the server refused user \"{}\"{}", m_params.user,
                                            text.empty() ? "" : ": " + printable(text))));
}

Step PapClient::on_timer(Millis now) {
  if (m_step != StepKind::wait_answer || !m_deadline || now < *m_deadline) return Step::more();
  return transmit(now);
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 200)) out.push_back(c >= 0x20 && c < 0x7F ? c : '?');
  return out;
}

}  // namespace ipseckit::ppp
