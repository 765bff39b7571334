// CHAP (RFC 1994) with MD5, and MS-CHAPv2 (RFC 2759), both directions; the task factory.
#include <fmt/format.h>

#include "base/log.h"
#include "crypto/hash.h"
#include "crypto/mschap.h"
#include "crypto/random.h"
#include "ppp/auth.h"
#include "ppp/auth_tasks.h"
#include "wire/ppp_auth.h"

namespace ipseckit::ppp {

using wire::ChapCode;
namespace mschap = crypto::mschap;

namespace {

constexpr std::uint8_t code(ChapCode c) { return static_cast<std::uint8_t>(c); }

ByteView view(const SecureBytes& s) { return {s.data(), s.size()}; }

// RFC 1994 §4.1: Response Value = MD5(Identifier | secret | Challenge Value).
Bytes md5_response(std::uint8_t id, ByteView secret, ByteView challenge) {
  Bytes in{id};
  in.insert(in.end(), secret.begin(), secret.end());
  in.insert(in.end(), challenge.begin(), challenge.end());
  return crypto::digest(crypto::HashAlg::md5, in);
}

}  // namespace

std::string mschap_error_text(std::uint32_t c) {
  switch (c) {
    case 646: return "restricted logon hours";
    case 647: return "account disabled";
    case 648: return "password expired";
    case 649: return "no dial-in permission";
    case 691: return "authentication failure";
    case 709: return "error changing password";
    default: return "error " + std::to_string(c);
  }
}

// ---- authenticator ----------------------------------------------------------------------

ChapServer::ChapServer(AuthServerParams p, Send send, Env env)
    : m_params(std::move(p)), m_send(std::move(send)), m_env(std::move(env)) {}

Step ChapServer::start(Millis now) {
  m_env.random(m_challenge.data(), m_challenge.size());
  std::uint8_t id = 0;
  m_env.random(&id, 1);
  auto v = wire::serialize_chap_value({Bytes(m_challenge.begin(), m_challenge.end()), m_params.server_name.substr(0, 200)});
  m_challenge_packet = wire::CpPacket{code(ChapCode::challenge), id, v ? std::move(v.value()) : Bytes{}};
  return transmit(now);
}

Step ChapServer::transmit(Millis now) {
  if (m_tries >= m_params.config.max_tries) {
    m_step = StepKind::failed;
    m_deadline.reset();
    return Step::fail(Error::make("ppp.auth_timeout",
                                  fmt::format("{}: the peer did not answer {} Challenges", name(m_params.protocol), m_tries)));
  }
  ++m_tries;
  m_send(m_challenge_packet);
  m_deadline = now + m_params.config.retry;
  return Step::more();
}

Step ChapServer::on_timer(Millis now) {
  if (m_step != StepKind::challenge_sent || !m_deadline || now < *m_deadline) return Step::more();
  return transmit(now);  // RFC 1994 §4.1: the same Challenge, same Identifier
}

Step ChapServer::input(const wire::CpPacket& p, Millis) {
  if (p.code != code(ChapCode::response)) return Step::more();
  if (m_step != StepKind::challenge_sent) {
    if (m_reply && p.id == m_reply->id) m_send(*m_reply);  // our Success/Failure was lost
    return Step::more();
  }
  if (p.id != m_challenge_packet.id) return Step::more();  // for another Challenge
  auto v = wire::parse_chap_value(p.data);
  if (!v) return Step::more();
  if (m_params.protocol == AuthProtocol::mschap_v2) return check_mschapv2(p, v->name, v->value);
  return check_md5(p, v->name, v->value);
}

Step ChapServer::answer(const wire::CpPacket& request, bool ok, std::string message, std::optional<Error> err) {
  m_reply = wire::CpPacket{code(ok ? ChapCode::success : ChapCode::failure), request.id, Bytes(message.begin(), message.end())};
  m_send(*m_reply);
  m_deadline.reset();
  m_step = ok ? StepKind::done : StepKind::failed;
  return ok ? Step::ok() : Step::fail(std::move(*err));
}

Step ChapServer::check_md5(const wire::CpPacket& p, const std::string& user, ByteView value) {
  const auto entry = m_params.users ? m_params.users->find(user, m_params.server_name) : std::nullopt;
  const bool ok = entry && crypto::equal_ct(md5_response(p.id, view(entry->secret), m_challenge), value);
  if (!ok)
    return answer(p, false, "Access denied",
                  Error::make("ppp.auth_failed", entry ? fmt::format("CHAP-MD5: wrong password for user \"{}\"", printable(user))
                                                       : fmt::format("CHAP-MD5: unknown user \"{}\"", printable(user))));
  m_result.user = user;
  m_result.static_address = entry->address;
  m_result.no_address = entry->no_address;
  return answer(p, true, "Welcome", std::nullopt);
}

Step ChapServer::check_mschapv2(const wire::CpPacket& p, const std::string& user, ByteView value) {
  auto r = wire::parse_mschapv2_response(value);
  if (!r) return Step::more();  // not an MS-CHAPv2 response: ignored, the peer retries
  auto entry = m_params.users ? m_params.users->find(user, m_params.server_name) : std::nullopt;
  if (!entry && mschap::strip_domain(user) != user && m_params.users)
    entry = m_params.users->find(mschap::strip_domain(user), m_params.server_name);
  auto fail = [&](std::string why) {
    wire::MsChapV2Failure f;
    f.error = 691;
    f.retry = false;
    f.challenge.emplace();
    m_env.random(f.challenge->data(), f.challenge->size());
    f.message = "Authentication failure";
    return answer(p, false, wire::format_mschapv2_failure(f), Error::make("ppp.auth_failed", std::move(why), 691));
  };
  if (!entry) return fail(fmt::format("MS-CHAPv2: unknown user \"{}\"", printable(user)));
  const auto hash = mschap::nt_password_hash(view(entry->secret));
  auto expect = mschap::generate_nt_response_from_hash(m_challenge, r->peer_challenge, user, hash);
  if (!expect) return fail("MS-CHAPv2: " + expect.error().message);
  if (!crypto::equal_ct(*expect, r->nt_response))
    return fail(fmt::format("MS-CHAPv2: wrong password for user \"{}\"", printable(user)));
  m_result.user = user;
  m_result.static_address = entry->address;
  m_result.no_address = entry->no_address;
  m_result.mppe_master_key = mschap::mppe_master_key(mschap::hash_nt_password_hash(hash), r->nt_response);
  const std::string auth = mschap::generate_authenticator_response(hash, r->nt_response, r->peer_challenge, m_challenge, user);
  return answer(p, true, wire::format_mschapv2_success({auth, "Access granted"}), std::nullopt);
}

// ---- peer -------------------------------------------------------------------------------

ChapClient::ChapClient(AuthClientParams p, Send send, Env env, Millis timeout)
    : m_params(std::move(p)), m_send(std::move(send)), m_env(std::move(env)), m_timeout(timeout) {}

Step ChapClient::start(Millis now) {
  m_deadline = now + m_timeout;
  return Step::more();
}

Step ChapClient::input(const wire::CpPacket& p, Millis now) {
  if (p.code == code(ChapCode::challenge)) {
    if (m_step == StepKind::failed) return Step::more();
    Step s = respond(p);
    if (s.kind == Step::Kind::need_more && m_step == StepKind::response_sent) {
      m_deadline = now + m_params.config.retry;
      m_tries = 1;
    }
    return s;
  }
  if (p.code != code(ChapCode::success) && p.code != code(ChapCode::failure)) return Step::more();
  if (m_step != StepKind::response_sent || !m_response || p.id != m_response->id) return Step::more();
  m_deadline.reset();
  return on_result(p);
}

Step ChapClient::respond(const wire::CpPacket& challenge) {
  auto c = wire::parse_chap_value(challenge.data);
  if (!c) return Step::more();
  if (m_response && challenge.id == m_response->id && c->value == m_auth_challenge) {
    m_send(*m_response);  // the server did not get our Response
    return Step::more();
  }
  wire::ChapValue v{{}, m_params.user};
  if (m_params.protocol == AuthProtocol::mschap_v2) {
    if (c->value.size() != 16) {
      m_step = StepKind::failed;
      return Step::fail(Error::make("ppp.auth_failed",
                                    fmt::format("MS-CHAPv2: Challenge of {} octets (expected 16)", c->value.size())));
    }
    std::array<std::uint8_t, 16> auth{};
    std::copy(c->value.begin(), c->value.end(), auth.begin());
    m_env.random(m_peer_challenge.data(), m_peer_challenge.size());
    auto nt = mschap::generate_nt_response(auth, m_peer_challenge, m_params.user, view(m_params.password));
    if (!nt) {
      m_step = StepKind::failed;
      return Step::fail(Error::make("ppp.auth_failed", "MS-CHAPv2: " + nt.error().message));
    }
    m_nt_response = *nt;
    v.value = wire::serialize_mschapv2_response({m_peer_challenge, m_nt_response, 0});
  } else {
    v.value = md5_response(challenge.id, view(m_params.password), c->value);
  }
  auto data = wire::serialize_chap_value(v);
  if (!data) {
    m_step = StepKind::failed;
    return Step::fail(Error::make("ppp.auth_failed", "CHAP: " + data.error().message));
  }
  m_auth_challenge = c->value;
  m_response = wire::CpPacket{code(ChapCode::response), challenge.id, std::move(data.value())};
  m_send(*m_response);
  m_step = StepKind::response_sent;
  return Step::more();
}

Step ChapClient::on_result(const wire::CpPacket& p) {
  const std::string text(p.data.begin(), p.data.end());
  const bool success = p.code == code(ChapCode::success);
  if (m_params.protocol != AuthProtocol::mschap_v2) {
    if (success) {
      m_step = StepKind::done;
      m_result.user = m_params.user;
      return Step::ok();
    }
    m_step = StepKind::failed;
    return Step::fail(Error::make("ppp.auth_failed", fmt::format("CHAP-MD5: the server refused user \"{}\"{}",
                                                                 m_params.user, text.empty() ? "" : ": " + printable(text))));
  }
  m_step = StepKind::failed;
  if (!success) {
    auto f = wire::parse_mschapv2_failure(text);
    if (!f) return Step::fail(Error::make("ppp.auth_failed", "MS-CHAPv2: the server refused us (" + printable(text) + ")"));
    return Step::fail(Error::make("ppp.auth_failed",
                                  fmt::format("MS-CHAPv2: the server refused user \"{}\": E={} ({}){}", m_params.user,
                                              f->error, mschap_error_text(f->error),
                                              f->message.empty() ? "" : ", \"" + printable(f->message) + "\""),
                                  f->error));
  }
  auto s = wire::parse_mschapv2_success(text);
  if (!s) return Step::fail(Error::make("ppp.auth_failed", "MS-CHAPv2: malformed Success message: " + s.error().message));
  std::array<std::uint8_t, 16> auth{};
  std::copy(m_auth_challenge.begin(), m_auth_challenge.end(), auth.begin());
  const auto hash = mschap::nt_password_hash(view(m_params.password));
  // RFC 2759 §5: the client MUST check the authenticator response.
  if (!mschap::check_authenticator_response(hash, m_nt_response, m_peer_challenge, auth, m_params.user,
                                            s->authenticator_response))
    return Step::fail(Error::make("ppp.auth_failed",
                                  "MS-CHAPv2: the server's authenticator response does not verify: it does not "
                                  "know our password (a rogue server?)"));
  m_step = StepKind::done;
  m_result.user = m_params.user;
  m_result.mppe_master_key = mschap::mppe_master_key(mschap::hash_nt_password_hash(hash), m_nt_response);
  return Step::ok();
}

Step ChapClient::on_timer(Millis now) {
  if ((m_step != StepKind::wait_challenge && m_step != StepKind::response_sent) || !m_deadline || now < *m_deadline)
    return Step::more();
  // Our Response or the server's Success may have been lost; the server answers a repeated
  // Response with its verdict again (RFC 1994 §4.2), so it is retransmitted.
  if (m_step == StepKind::response_sent && m_response && m_tries < m_params.config.max_tries) {
    ++m_tries;
    m_send(*m_response);
    m_deadline = now + m_params.config.retry;
    return Step::more();
  }
  const bool waiting = m_step == StepKind::wait_challenge;
  m_step = StepKind::failed;
  m_deadline.reset();
  return Step::fail(Error::make("ppp.auth_timeout", waiting ? "CHAP: no Challenge from the server"
                                                            : "CHAP: no Success or Failure from the server"));
}

// ---- factory ----------------------------------------------------------------------------

std::unique_ptr<AuthTask> make_auth_server(AuthServerParams p, AuthTask::Send send, Env env) {
  if (p.protocol == AuthProtocol::pap) return std::make_unique<PapServer>(std::move(p), std::move(send), std::move(env));
  return std::make_unique<ChapServer>(std::move(p), std::move(send), std::move(env));
}

std::unique_ptr<AuthTask> make_auth_client(AuthClientParams p, AuthTask::Send send, Env env) {
  if (p.protocol == AuthProtocol::pap) return std::make_unique<PapClient>(std::move(p), std::move(send), std::move(env));
  const Millis timeout = p.config.retry * p.config.max_tries;
  return std::make_unique<ChapClient>(std::move(p), std::move(send), std::move(env), timeout);
}

}  // namespace ipseckit::ppp
