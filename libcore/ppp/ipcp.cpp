#include "ppp/ipcp.h"

#include <fmt/format.h>

#include "base/log.h"
#include "ppp/option_values.h"
#include "wire/ppp_cp.h"

namespace ipseckit::ppp {
namespace {

using O = wire::IpcpOption;
constexpr std::uint8_t t(O o) { return static_cast<std::uint8_t>(o); }

}  // namespace

Ipcp::Ipcp(IpcpConfig config, FsmConfig fsm, IpcpOwner& owner)
    : m_config(std::move(config)), m_owner(owner), m_fsm("IPCP", *this, fsm) {
  if (m_config.role == Role::server) {
    m_req_addr = m_config.local;
  } else {
    m_req_addr = m_config.want.value_or(wire::IpAddr::v4(0));
    if (m_config.request_dns) m_req_dns1 = m_req_dns2 = wire::IpAddr::v4(0);
    if (m_config.request_nbns) m_req_nbns1 = m_req_nbns2 = wire::IpAddr::v4(0);
  }
}

Bytes Ipcp::request_options() {
  std::vector<wire::CpOption> o;
  if (m_send_addr && m_req_addr) o.push_back(make_addr(t(O::ip_address), *m_req_addr));
  if (m_req_dns1) o.push_back(make_addr(t(O::primary_dns), *m_req_dns1));
  if (m_req_nbns1) o.push_back(make_addr(t(O::primary_nbns), *m_req_nbns1));
  if (m_req_dns2) o.push_back(make_addr(t(O::secondary_dns), *m_req_dns2));
  if (m_req_nbns2) o.push_back(make_addr(t(O::secondary_nbns), *m_req_nbns2));
  return options_bytes(o);
}

std::optional<Verdict> Ipcp::check_request(ByteView options, Bytes& reply) {
  auto opts = wire::parse_options(options);
  if (!opts) return std::nullopt;
  std::optional<Verdict> v = m_config.role == Role::server ? check_as_server(*opts, reply) : check_as_client(*opts, reply);
  if (v == Verdict::nak && ++m_naks_sent > m_config.max_failure) {
    // §4.6 Max-Failure: the client keeps refusing what we offer.
    m_owner.ipcp_failure(Error::make("ppp.ipcp_failed",
                                     fmt::format("the peer did not accept the offered address after {} Configure-Naks",
                                                 m_naks_sent - 1)));
    return std::nullopt;
  }
  if (v == Verdict::ack) reply.assign(options.begin(), options.end());
  return v;
}

std::optional<Verdict> Ipcp::check_as_server(const std::vector<wire::CpOption>& opts, Bytes& reply) {
  std::vector<wire::CpOption> rej, nak;
  bool saw_addr = false;
  auto offer = [&](const wire::CpOption& o, const std::optional<wire::IpAddr>& ours) {
    auto a = opt_addr(o);
    if (!a || !ours) rej.push_back(o);  // RFC 1877: not configured here -> Configure-Reject
    else if (*a != *ours) nak.push_back(make_addr(o.type, *ours));
  };
  for (const auto& o : opts) {
    switch (static_cast<O>(o.type)) {
      case O::ip_address: {
        saw_addr = true;
        auto a = opt_addr(o);
        if (!a || !m_assigned) rej.push_back(o);
        else if (*a != *m_assigned) nak.push_back(make_addr(t(O::ip_address), *m_assigned));
        break;
      }
      case O::primary_dns: offer(o, m_config.dns1); break;
      case O::secondary_dns: offer(o, m_config.dns2); break;
      case O::primary_nbns: offer(o, m_config.nbns1); break;
      case O::secondary_nbns: offer(o, m_config.nbns2); break;
      default: rej.push_back(o); break;  // IP-Compression-Protocol (VJ), IP-Addresses, unknown
    }
  }
  if (!rej.empty()) {
    reply = options_bytes(rej);
    return Verdict::reject;
  }
  // RFC 1661 §5.3: a Nak may carry options the peer did not send, to suggest them.
  if (!saw_addr && m_assigned) nak.push_back(make_addr(t(O::ip_address), *m_assigned));
  if (!nak.empty()) {
    reply = options_bytes(nak);
    return Verdict::nak;
  }
  if (m_assigned) m_agreed.peer = *m_assigned;
  return Verdict::ack;
}

std::optional<Verdict> Ipcp::check_as_client(const std::vector<wire::CpOption>& opts, Bytes& reply) {
  std::vector<wire::CpOption> rej;
  std::optional<wire::IpAddr> peer;
  for (const auto& o : opts) {
    if (static_cast<O>(o.type) == O::ip_address) {
      auto a = opt_addr(o);
      // The server's own address. 0.0.0.0 asks us to assign one, which a client cannot.
      if (!a || a->is_unspecified()) rej.push_back(o);
      else peer = a;
    } else {
      rej.push_back(o);
    }
  }
  if (!rej.empty()) {
    reply = options_bytes(rej);
    return Verdict::reject;
  }
  if (peer) m_agreed.peer = *peer;
  return Verdict::ack;
}

void Ipcp::acked(ByteView) {
  if (m_config.role == Role::server) {
    m_agreed.local = m_config.local;
    m_agreed.dns1 = m_config.dns1;
    m_agreed.dns2 = m_config.dns2;
    m_agreed.nbns1 = m_config.nbns1;
    m_agreed.nbns2 = m_config.nbns2;
    return;
  }
  if (!m_send_addr || !m_req_addr || m_req_addr->is_unspecified()) {
    m_owner.ipcp_failure(Error::make("ppp.ipcp_failed", "the server acknowledged IP-Address 0.0.0.0: no address assigned"));
    return;
  }
  m_agreed.local = *m_req_addr;
  m_agreed.dns1 = m_req_dns1 && !m_req_dns1->is_unspecified() ? m_req_dns1 : std::nullopt;
  m_agreed.dns2 = m_req_dns2 && !m_req_dns2->is_unspecified() ? m_req_dns2 : std::nullopt;
  m_agreed.nbns1 = m_req_nbns1 && !m_req_nbns1->is_unspecified() ? m_req_nbns1 : std::nullopt;
  m_agreed.nbns2 = m_req_nbns2 && !m_req_nbns2->is_unspecified() ? m_req_nbns2 : std::nullopt;
}

bool Ipcp::naked(ByteView options) {
  auto opts = wire::parse_options(options);
  if (!opts) return false;
  for (const auto& o : *opts) {
    auto a = opt_addr(o);
    if (!a) continue;
    switch (static_cast<O>(o.type)) {
      case O::ip_address:
        // A server insists on its own address; a client takes the one it is given.
        if (m_config.role == Role::client) m_req_addr = a;
        break;
      case O::primary_dns: if (m_req_dns1) m_req_dns1 = a; break;
      case O::secondary_dns: if (m_req_dns2) m_req_dns2 = a; break;
      case O::primary_nbns: if (m_req_nbns1) m_req_nbns1 = a; break;
      case O::secondary_nbns: if (m_req_nbns2) m_req_nbns2 = a; break;
      default: break;
    }
  }
  return true;
}

bool Ipcp::rejected(ByteView options) {
  auto opts = wire::parse_options(options);
  if (!opts) return false;
  for (const auto& o : *opts) {
    switch (static_cast<O>(o.type)) {
      case O::ip_address:
        if (m_config.role == Role::client) {
          m_owner.ipcp_failure(Error::make("ppp.ipcp_failed", "the server refuses to assign an address (it rejected "
                                                              "the IP-Address option)"));
        }
        m_send_addr = false;
        break;
      case O::primary_dns: m_req_dns1.reset(); break;
      case O::secondary_dns: m_req_dns2.reset(); break;
      case O::primary_nbns: m_req_nbns1.reset(); break;
      case O::secondary_nbns: m_req_nbns2.reset(); break;
      default: return false;
    }
  }
  return true;
}

}  // namespace ipseckit::ppp
