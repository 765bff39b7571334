// L2TP events (tunnels and calls) and the PPP link of each call.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "crypto/random.h"
#include "l2tpd/daemon_impl.h"

namespace ipseckit::l2tpd {

using l2tp::Event;
using log::Level;
using log::Subsys;
using ppp::LinkEvent;

namespace {

std::string why(const std::optional<Error>& e) {
  return e ? e->message : "no reason given";
}

}  // namespace

void Daemon::on_event(const Event& e) {
  switch (e.kind) {
    case Event::Kind::tunnel_up:
      on_tunnel_up(e);
      break;
    case Event::Kind::tunnel_down:
      on_tunnel_down(e);
      break;
    case Event::Kind::session_up:
      on_session_up(e);
      break;
    case Event::Kind::session_down:
      on_session_down(e);
      break;
    case Event::Kind::data:
      if (auto it = m_calls.find(e.key); it != m_calls.end() && it->second.link && !it->second.gone)
        it->second.link->receive(e.data);
      break;
  }
}

void Daemon::on_tunnel_up(const Event& e) {
  const l2tp::Tunnel* t = m_node->tunnel(e.key.tunnel);
  TunnelRecord r;
  r.tunnel_id = e.key.tunnel;
  r.peer = e.peer.str();
  r.role = role();
  r.state = "established";
  r.ipsec = m_opt.ipsec;
  if (t) {
    r.peer_tunnel_id = t->peer_id();
    r.peer_host = t->peer_host_name();
  }
  log::msg(Subsys::l2tp, Level::control, "tunnel {} with {} (\"{}\", peer tunnel {}) established", r.tunnel_id, r.peer,
           r.peer_host, r.peer_tunnel_id);
  m_records->put_tunnel(r);
}

void Daemon::on_tunnel_down(const Event& e) {
  log::msg(Subsys::l2tp, Level::control, "tunnel {} with {} closed: {}", e.key.tunnel, e.peer.str(), why(e.error));
  m_records->del_tunnel(e.key.tunnel);
  if (!m_opt.server && !m_stopping) {
    const bool auth = e.error && e.error->code == "l2tp.auth";
    client_failed(fmt::format(
        "{}: {}", auth ? "tunnel authentication failed" : "the tunnel to " + e.peer.str() + " closed", why(e.error)));
    begin_stop("tunnel closed");
  }
}

ppp::LinkConfig Daemon::link_config() {
  ppp::LinkConfig c;
  c.name = m_opt.host_name;
  if (m_opt.server) {
    c.role = ppp::Role::server;
    c.lcp.require_auth = {ppp::AuthProtocol::mschap_v2, ppp::AuthProtocol::chap_md5};
    c.users = &m_opt.users;
    c.pool = &*m_pool;
    c.ipcp.local = m_local;
    c.ipcp.dns1 = m_opt.dns1;
    c.ipcp.dns2 = m_opt.dns2;
  } else {
    c.role = ppp::Role::client;
    c.lcp.accept_auth = {ppp::AuthProtocol::mschap_v2, ppp::AuthProtocol::chap_md5};
    c.user = m_opt.user;
    c.password = m_opt.password.clone();
    c.ipcp.request_dns = true;
  }
  c.ipcp.role = c.role;
  c.lcp.mru = static_cast<std::uint16_t>(m_opt.mtu);
  if (m_opt.keepalive_s > 0) c.echo_interval = std::chrono::seconds(m_opt.keepalive_s);
  return c;
}

void Daemon::on_session_up(const Event& e) {
  if (m_stopping) {
    m_node->hang_up(e.key, wire::CdnResult::admin, "l2tpd is shutting down");
    return;
  }
  Call& c = m_calls[e.key];
  c.key = e.key;
  c.peer = e.peer;
  c.record.tunnel_id = e.key.tunnel;
  c.record.session_id = e.key.session;
  if (const auto* t = m_node->tunnel(e.key.tunnel))
    if (const auto* s = t->session(e.key.session)) c.record.peer_session_id = s->peer_id();
  c.record.peer = e.peer.str();
  c.record.role = role();
  c.record.state = "authenticating";
  c.record.user = m_opt.server ? "" : m_opt.user;
  c.record.interface = m_tun->name();
  c.record.ipsec = m_opt.ipsec;
  log::msg(Subsys::l2tp, Level::control, "session {} with {} (peer session {}): call up, starting PPP", e.key.str(),
           e.peer.str(), c.record.peer_session_id);
  const auto key = e.key;
  ppp::Env env{[this] { return now(); }, [](std::uint8_t* p, std::size_t n) { crypto::random_bytes(p, n); }};
  c.link = std::make_unique<ppp::Link>(
      link_config(), env,
      [this, key](ByteView frame) {
        if (auto st = m_node->send_data(key, frame); !st)
          log::msg(Subsys::l2tp, Level::diag, "session {}: {}", key.str(), st.error().message);
      },
      [this, key](const LinkEvent& le) { on_link_event(key, le); });
  m_records->put_sessions({c.record});
  c.link->open();
}

void Daemon::on_link_event(const l2tp::SessionKey& key, const LinkEvent& le) {
  auto it = m_calls.find(key);
  if (it == m_calls.end()) return;
  Call& c = it->second;
  switch (le.kind) {
    case LinkEvent::Kind::up:
      on_link_up(c);
      break;
    case LinkEvent::Kind::down:
      on_link_down(c, le);
      break;
    case LinkEvent::Kind::ip:
      // server: a client may only send from the address IPCP gave it (no spoofing others)
      if (m_opt.server &&
          (!c.client_address || le.packet.size() < 20 ||
           !std::equal(le.packet.begin() + 12, le.packet.begin() + 16, c.client_address->bytes().begin()))) {
        log::msg(Subsys::net, Level::diag, "session {}: dropped a packet not from the client's address", key.str());
        c.record.dropped++;
        break;
      }
      if (::write(m_tun->fd(), le.packet.data(), le.packet.size()) < 0)
        log::msg(Subsys::net, Level::diag, "session {}: TUN write: {}", key.str(), std::strerror(errno));
      c.record.bytes_in += le.packet.size();
      c.record.packets_in++;
      c.dirty = true;
      break;
  }
}

void Daemon::on_link_up(Call& c) {
  const auto& info = c.link->info();
  c.record.state = "established";
  c.record.user = info.user;
  c.record.auth = info.auth ? ppp::name(*info.auth) : "";
  if (m_opt.server) {
    c.client_address = info.ip.peer;
    c.record.address = info.ip.peer.str();
    c.record.local_address = info.ip.local.str();
    if (!c.routes) {
      c.routes = std::make_unique<sys::rtnl::Cleanup>();
      sys::rtnl::Route r;
      r.dst = wire::IpPrefix::host(info.ip.peer);
      r.dev = m_tun->name();
      if (auto st = c.routes->route_add(r); !st)
        log::msg(Subsys::net, Level::audit, "session {}: route to {}: {}", c.key.str(), r.dst.str(),
                 st.error().message);
    }
    m_by_address[v4_u32(info.ip.peer)] = c.key;
    log::msg(Subsys::ppp, Level::audit, "session {} from {}: user \"{}\" logged in ({}), address {}", c.key.str(),
             c.peer.str(), info.user, c.record.auth, info.ip.peer.str());
  } else if (!c.established) {
    c.record.address = info.ip.local.str();
    c.record.local_address = info.ip.peer.str();
    auto st = m_net.addr_add(m_tun->name(), {info.ip.local, 32});
    sys::rtnl::Route r;
    r.dst = wire::IpPrefix::host(info.ip.peer);
    r.dev = m_tun->name();
    if (st) st = m_net.route_add(r);
    for (const auto& p : m_opt.routes) {
      if (!st) break;
      r.dst = p;
      st = m_net.route_add(r);
    }
    if (!st) {
      client_failed(fmt::format("configuring {}: {}", m_tun->name(), st.error().message));
      begin_stop("TUN configuration failed");
      return;
    }
    m_client_was_up = true;
    log::msg(Subsys::ppp, Level::audit, "connected to {} as \"{}\" ({}): address {}, server {}{}{} on {}", c.peer.str(),
             info.user, c.record.auth, info.ip.local.str(), info.ip.peer.str(),
             info.ip.dns1 ? ", DNS " + info.ip.dns1->str() : "", info.ip.dns2 ? " " + info.ip.dns2->str() : "",
             m_tun->name());
  }
  c.established = true;
  c.dirty = true;
  flush(true);
}

void Daemon::on_link_down(Call& c, const LinkEvent& le) {
  const std::string reason = why(le.error);
  if (m_opt.server) {
    log::msg(Subsys::ppp, Level::audit, "session {} from {}: PPP down{}: {}", c.key.str(), c.peer.str(),
             c.record.user.empty() ? "" : fmt::format(" (user \"{}\")", c.record.user), reason);
  } else if (!m_stopping) {
    const std::string code = le.error ? le.error->code : "";
    const std::string what = code == "ppp.auth_failed"    ? "authentication failed"
                             : code == "ppp.auth_timeout" ? "authentication timed out"
                             : code == "ppp.no_auth"      ? "no authentication protocol in common with the server"
                             : code == "ppp.ipcp_failed" || code == "ppp.no_address" ? "no address from the server"
                             : c.established                                         ? "PPP link lost"
                                                                                     : "PPP failed";
    client_failed(fmt::format("{}: {}", what, reason));
  }
  m_node->hang_up(c.key, wire::CdnResult::admin, reason);
}

void Daemon::on_session_down(const Event& e) {
  auto it = m_calls.find(e.key);
  log::msg(Subsys::l2tp, Level::control, "session {} with {} cleared: {}", e.key.str(), e.peer.str(), why(e.error));
  // the L2TP reason first: PPP's "carrier went away" that follows says less
  if (!m_opt.server && !m_stopping) client_failed(fmt::format("the call was cleared: {}", why(e.error)));
  if (it != m_calls.end()) {
    Call& c = it->second;
    c.gone = true;
    if (c.link) c.link->lower_down();
  }
  if (!m_opt.server && !m_stopping) begin_stop("call cleared");
}

void Daemon::client_failed(std::string message) {
  if (!m_failure) m_failure = std::move(message);
}

void Daemon::disconnect(const std::string& id) {
  // ID is "T-S" (a call) or "T" (a tunnel); requests for IDs we do not have are another
  // l2tpd's (the requester removes them).
  Call* call = nullptr;
  std::optional<std::uint16_t> tunnel;
  if (id.find('-') != std::string::npos) {
    for (auto& [k, c] : m_calls)
      if (!c.gone && session_id(k.tunnel, k.session) == id) call = &c;
  } else if (!id.empty() && id.size() <= 5 && id.find_first_not_of("0123456789") == std::string::npos) {
    const unsigned long t = std::stoul(id);
    if (t <= 0xFFFF && m_node->tunnel(static_cast<std::uint16_t>(t))) tunnel = static_cast<std::uint16_t>(t);
  }
  if (!call && !tunnel) return;
  log::msg(Subsys::l2tp, Level::audit, "{} {}: disconnected by request", call ? "session" : "tunnel", id);
  (void)m_store->del(kDisconnectPrefix + id);
  if (!m_opt.server) {
    begin_stop("disconnect requested");  // the client's own call: an orderly stop, exit 0
  } else if (call) {
    m_node->hang_up(call->key, wire::CdnResult::admin, "disconnected by the administrator");
  } else {
    m_node->close_tunnel(*tunnel, wire::StopCcnResult::general_clear, "disconnected by the administrator");
  }
}

}  // namespace ipseckit::l2tpd
