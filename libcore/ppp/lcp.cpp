#include "ppp/lcp.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/log.h"
#include "ppp/option_values.h"
#include "wire/ppp_auth.h"
#include "wire/ppp_frame.h"

namespace ipseckit::ppp {
namespace {

using O = wire::LcpOption;
constexpr std::uint8_t t(O o) { return static_cast<std::uint8_t>(o); }

std::optional<AuthProtocol> parse_auth(const wire::CpOption& o) {
  auto proto = o.value.size() >= 2 ? std::optional<std::uint16_t>((o.value[0] << 8) | o.value[1]) : std::nullopt;
  if (proto == static_cast<std::uint16_t>(wire::PppProtocol::pap) && o.value.size() == 2) return AuthProtocol::pap;
  if (proto == static_cast<std::uint16_t>(wire::PppProtocol::chap) && o.value.size() == 3) {
    if (o.value[2] == static_cast<std::uint8_t>(wire::ChapAlgorithm::md5)) return AuthProtocol::chap_md5;
    if (o.value[2] == static_cast<std::uint8_t>(wire::ChapAlgorithm::mschap_v2)) return AuthProtocol::mschap_v2;
  }
  return std::nullopt;
}

}  // namespace

std::string name(AuthProtocol p) {
  switch (p) {
    case AuthProtocol::pap: return "PAP";
    case AuthProtocol::chap_md5: return "CHAP-MD5";
    case AuthProtocol::mschap_v2: return "MS-CHAPv2";
  }
  return "<unknown:" + std::to_string(static_cast<int>(p)) + ">";
}

std::uint16_t auth_protocol_number(AuthProtocol p) {
  return static_cast<std::uint16_t>(p == AuthProtocol::pap ? wire::PppProtocol::pap : wire::PppProtocol::chap);
}

Bytes auth_option_value(AuthProtocol p) {
  const std::uint16_t n = auth_protocol_number(p);
  Bytes v{static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
  if (p == AuthProtocol::chap_md5) v.push_back(static_cast<std::uint8_t>(wire::ChapAlgorithm::md5));
  if (p == AuthProtocol::mschap_v2) v.push_back(static_cast<std::uint8_t>(wire::ChapAlgorithm::mschap_v2));
  return v;
}

Lcp::Lcp(LcpConfig config, FsmConfig fsm, LcpOwner& owner)
    : m_config(std::move(config)),
      m_owner(owner),
      m_fsm("LCP", *this, fsm),
      m_send_mru(m_config.mru != 1500),
      m_send_magic(m_config.request_magic),
      m_send_pfc(m_config.request_pfc),
      m_send_acfc(m_config.request_acfc),
      m_mru(m_config.mru) {
  m_magic = new_magic();
}

std::uint32_t Lcp::new_magic() {
  std::uint32_t m = 0;
  for (int tries = 0; tries < 16 && (m == 0 || m == m_magic); ++tries) {
    std::array<std::uint8_t, 4> b{};
    m_owner.random(b.data(), b.size());
    m = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
  }
  return m == 0 ? 0x5A5A5A5Au : m;
}

std::optional<AuthProtocol> Lcp::our_auth() const {
  if (m_auth_index >= m_config.require_auth.size()) return std::nullopt;
  return m_config.require_auth[m_auth_index];
}

Bytes Lcp::request_options() {
  std::vector<wire::CpOption> o;
  if (m_send_mru) o.push_back(make_u16(t(O::mru), m_mru));
  if (auto a = our_auth()) o.push_back({t(O::auth_protocol), auth_option_value(*a)});
  if (m_send_magic) o.push_back(make_u32(t(O::magic_number), m_magic));
  if (m_send_pfc) o.push_back({t(O::pfc), {}});
  if (m_send_acfc) o.push_back({t(O::acfc), {}});
  m_naks_sent = 0;
  return options_bytes(o);
}

std::optional<Verdict> Lcp::check_request(ByteView options, Bytes& reply) {
  auto opts = wire::parse_options(options);
  if (!opts) return std::nullopt;
  std::vector<wire::CpOption> rej, nak;
  LcpAgreed p;  // what this request asks for, taken only if we Ack it
  for (const auto& o : *opts) {
    switch (static_cast<O>(o.type)) {
      case O::mru: {
        auto v = opt_u16(o);
        if (!v) rej.push_back(o);
        else if (*v < 128) nak.push_back(make_u16(t(O::mru), 1500));  // too small to carry IPCP
        else p.peer_mru = *v;
        break;
      }
      case O::accm:
        if (o.value.size() != 4) rej.push_back(o);
        break;
      case O::auth_protocol: {
        // The peer wants to authenticate us: possible only with credentials for an accepted protocol.
        if (m_config.accept_auth.empty()) {
          rej.push_back(o);
          break;
        }
        const auto a = parse_auth(o);
        if (a && std::find(m_config.accept_auth.begin(), m_config.accept_auth.end(), *a) != m_config.accept_auth.end())
          p.authenticate_to_peer = a;
        else
          nak.push_back({t(O::auth_protocol), auth_option_value(m_config.accept_auth.front())});
        break;
      }
      case O::magic_number: {
        auto v = opt_u32(o);
        if (!v) {
          rej.push_back(o);
        } else if (*v == 0 || (m_send_magic && *v == m_magic)) {
          // §6.4: zero is never valid; our own value may mean a looped-back link.
          if (*v != 0 && ++m_magic_collisions > m_config.max_failure) {
            m_owner.lcp_failure(Error::make("ppp.loopback",
                                            fmt::format("the link is looped back: our Magic-Number {:08x} came back "
                                                        "{} times", m_magic, m_magic_collisions)));
            return std::nullopt;
          }
          if (*v != 0) m_magic = new_magic();
          nak.push_back(make_u32(t(O::magic_number), new_magic()));
        } else {
          p.peer_magic = *v;
        }
        break;
      }
      case O::pfc:
        if (!o.value.empty()) rej.push_back(o);
        else p.send_pfc = true;
        break;
      case O::acfc:
        if (!o.value.empty()) rej.push_back(o);
        else p.send_acfc = true;
        break;
      default:
        rej.push_back(o);
        break;
    }
  }
  if (!rej.empty()) {
    reply = options_bytes(rej);
    return Verdict::reject;
  }
  if (!nak.empty()) {
    // §4.6 Max-Failure: a peer that keeps asking for what we cannot give gets Rejects.
    if (++m_naks_sent > m_config.max_failure) {
      std::vector<wire::CpOption> as_rej;
      for (const auto& o : *opts)
        for (const auto& n : nak)
          if (n.type == o.type) as_rej.push_back(o);
      reply = options_bytes(as_rej);
      return Verdict::reject;
    }
    reply = options_bytes(nak);
    return Verdict::nak;
  }
  m_agreed.peer_mru = p.peer_mru;
  m_agreed.authenticate_to_peer = p.authenticate_to_peer;
  m_agreed.peer_magic = p.peer_magic;
  m_agreed.send_pfc = p.send_pfc;
  m_agreed.send_acfc = p.send_acfc;
  reply.assign(options.begin(), options.end());
  return Verdict::ack;
}

void Lcp::acked(ByteView) {
  m_agreed.our_mru = m_send_mru ? m_mru : 1500;
  m_agreed.authenticate_peer = our_auth();
  m_agreed.our_magic = m_send_magic ? m_magic : 0;
}

bool Lcp::naked(ByteView options) {
  auto opts = wire::parse_options(options);
  if (!opts) return false;
  for (const auto& o : *opts) {
    switch (static_cast<O>(o.type)) {
      case O::mru:
        if (auto v = opt_u16(o); v && *v >= 128) {
          m_mru = *v;
          m_send_mru = *v != 1500;
        }
        break;
      case O::magic_number: m_magic = new_magic(); break;
      case O::auth_protocol: {
        if (!our_auth()) break;  // a hint for an option we do not send: ignored
        const auto a = parse_auth(o);
        const auto& list = m_config.require_auth;
        auto it = a ? std::find(list.begin(), list.end(), *a) : list.end();
        if (it != list.end() && *it != *our_auth()) {
          m_auth_index = static_cast<std::size_t>(it - list.begin());
        } else if (++m_auth_index >= list.size()) {
          m_owner.lcp_failure(Error::make(
              "ppp.no_auth", fmt::format("the peer accepts none of the authentication protocols we require (it "
                                         "proposed {})",
                                         a ? name(*a) : "one we do not know")));
        }
        break;
      }
      default: break;  // hints for options we do not request
    }
  }
  return true;
}

bool Lcp::rejected(ByteView options) {
  auto opts = wire::parse_options(options);
  if (!opts) return false;
  for (const auto& o : *opts) {
    switch (static_cast<O>(o.type)) {
      case O::mru: m_send_mru = false; break;
      case O::magic_number: m_send_magic = false; break;
      case O::pfc: m_send_pfc = false; break;
      case O::acfc: m_send_acfc = false; break;
      case O::auth_protocol:
        if (our_auth())
          m_owner.lcp_failure(Error::make("ppp.no_auth",
                                          "the peer refuses to be authenticated (it rejected the Authentication-Protocol "
                                          "option)"));
        break;
      default: return false;  // §5.4: a Reject must only name options we sent
    }
  }
  return true;
}

bool Lcp::is_extra_code(std::uint8_t code) const {
  // §5.8 Echo-Request/Reply, Discard-Request; RFC 1570 Identification, Time-Remaining.
  return code >= static_cast<std::uint8_t>(wire::CpCode::echo_request) &&
         code <= static_cast<std::uint8_t>(wire::CpCode::time_remaining);
}

void Lcp::on_extra(const wire::CpPacket& p) {
  switch (static_cast<wire::CpCode>(p.code)) {
    case wire::CpCode::echo_request: {
      if (p.data.size() < 4) return;
      ByteReader r(p.data, "Echo-Request");
      const std::uint32_t magic = r.u32be();
      if (m_agreed.our_magic != 0 && magic == m_agreed.our_magic) {
        m_owner.lcp_failure(Error::make("ppp.loopback", "the link is looped back: our own Echo-Request came back"));
        return;
      }
      ByteWriter w;
      w.u32be(m_agreed.our_magic);
      w.bytes(r.rest());
      send(wire::CpPacket{static_cast<std::uint8_t>(wire::CpCode::echo_reply), p.id, w.take()});
      break;
    }
    case wire::CpCode::echo_reply: m_owner.lcp_echo_reply(); break;
    case wire::CpCode::identification:
      log::msg(log::Subsys::ppp, log::Level::diag, "LCP: peer identification received ({} bytes)", p.data.size());
      break;
    default: break;  // Discard-Request, Time-Remaining
  }
}

void Lcp::send_echo_request() {
  ByteWriter w;
  w.u32be(m_agreed.our_magic);
  send(wire::CpPacket{static_cast<std::uint8_t>(wire::CpCode::echo_request), m_fsm.next_id(), w.take()});
}

}  // namespace ipseckit::ppp
