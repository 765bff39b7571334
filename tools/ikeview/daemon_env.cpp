#include "ikeview/daemon_env.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/log.h"
#include "policy/spd_json.h"

namespace ipseckit::ikeview {

using log::Level;
using log::Subsys;

Result<std::unique_ptr<UdpTransport>> UdpTransport::open(const wire::IpAddr& listen, std::optional<std::uint32_t> mark,
                                                         std::uint16_t port500, std::uint16_t port4500) {
  sys::UdpOptions o;
  o.mark = mark;
  o.pktinfo = true;  // the local address of each datagram: the engine answers from it
  o.bind = {listen, port500};
  auto a = sys::UdpSocket::open(o);
  if (!a) return Error::make("failed", fmt::format("UDP {}:{}: {}", listen.str(), port500, a.error().message));
  o.bind.port = port4500;
  o.natt_ike_only = true;  // ESP-in-UDP is espd's: dropped in the kernel, never wakes us (RFC 3948 §2.2)
  // espd binds the port too; the kernel steers IKE here, ESP there (sys/natt_share.h). UDP_GRO:
  // the kernel merges a flow's datagrams only when its hash picks a socket with UDP_GRO.
  o.natt_share = sys::NattShare::ike;
  o.gro = true;
  auto b = sys::UdpSocket::open(o);
  if (!b) return Error::make("failed", fmt::format("UDP {}:{}: {}", listen.str(), port4500, b.error().message));
  return std::unique_ptr<UdpTransport>(new UdpTransport(std::move(*a), std::move(*b)));
}

Result<std::unique_ptr<UdpTransport>> UdpTransport::open_both(std::optional<std::uint32_t> mark, std::uint16_t port500,
                                                              std::uint16_t port4500, std::string* v6_error) {
  auto t = open(wire::IpAddr{}, mark, port500, port4500);
  if (!t) return t;
  auto v6 = open(*wire::IpAddr::parse("::"), mark, port500, port4500);
  if (v6) (*t)->m_v6 = std::move(*v6);
  else if (v6_error) *v6_error = v6.error().message;
  return t;
}

void UdpTransport::send(const ike::Endpoint& local, const ike::Endpoint& remote, ByteView datagram) {
  if (m_v6 && remote.addr.is_v6()) return m_v6->send(local, remote, datagram);
  auto& s = local.port == m_natt_port ? m_natt : m_ike;
  // From the engine's local address (the one the peer sent to, or the rule's), not the route's.
  if (auto st = s.send_to(datagram, sys::Endpoint{remote.addr, remote.port}, local.addr); !st) {
    ++m_send_errors;
    log::msg(Subsys::net, Level::diag, "send to {} failed: {}", remote.str(), st.error().message);
  }
}

std::optional<SecureBytes> StoreSecrets::psk(const policy::AuthMethod& method, const wire::IpAddr& peer) {
  if (method.kind != policy::AuthKind::psk) return std::nullopt;
  if (method.psk_ref.empty()) {
    if (method.psk.empty()) return std::nullopt;
    return SecureBytes(method.psk);
  }
  if (auto c = m_cache.find(method.psk_ref); c != m_cache.end()) return c->second.key.clone();
  auto e = m_client.get(method.psk_ref);
  if (!e) {
    log::msg(Subsys::ike, Level::audit, "pre-shared key for {} unavailable: {} ({})", peer.str(), method.psk_ref,
             e.error().message);
    return std::nullopt;
  }
  const auto& v = e->value;
  if (!v.is_object() || !v.contains("key") || !v["key"].is_string()) {
    log::msg(Subsys::ike, Level::audit, "pre-shared key {} has no string \"key\"", method.psk_ref);
    return std::nullopt;
  }
  SecureBytes key(v["key"].get_ref<const std::string&>());
  m_cache[method.psk_ref] = Cached{key.clone(), e->revision};
  return key;
}

void StoreSecrets::on_event(const store::Event& ev) {
  auto c = m_cache.find(ev.key);
  if (c == m_cache.end() || ev.revision <= c->second.revision) return;  // not cached, or already seen by get()
  const auto& v = ev.value;
  if (ev.kind == store::Event::Kind::put && v.is_object() && v.contains("key") && v["key"].is_string())
    c->second = Cached{SecureBytes(v["key"].get_ref<const std::string&>()), ev.revision};
  else
    m_cache.erase(c);  // deleted or unusable: the next negotiation reads (and reports) it
}

std::optional<ike::MmPolicy> CurrentPolicy::main_mode(const wire::IpAddr& local, const wire::IpAddr& peer) const {
  if (!m_view) return std::nullopt;
  return m_view->main_mode(local, peer);
}

std::optional<ike::MmPolicy> CurrentPolicy::main_mode_for_id(const wire::IpAddr& local, const wire::IpAddr& peer,
                                                             const wire::isakmp::IdPayload& id) const {
  if (!m_view) return std::nullopt;
  return m_view->main_mode_for_id(local, peer, id);
}

std::optional<ike::QmPolicy> CurrentPolicy::quick_mode(const wire::IpAddr& local, const wire::IpAddr& peer,
                                                       const ike::TrafficSelector& ours,
                                                       const ike::TrafficSelector& theirs) const {
  if (!m_view) return std::nullopt;
  return m_view->quick_mode(local, peer, ours, theirs);
}

Status CurrentPolicy::load(const store::Json& doc) {
  auto spd = policy::compiled_spd_from_json(doc);
  if (!spd) return std::move(spd).error();
  m_view = std::make_unique<ike::SpdPolicyView>(std::move(*spd));
  return {};
}

Result<wire::IpAddr> local_address_towards(const wire::IpAddr& peer, std::optional<std::uint32_t> mark) {
  sys::UniqueFd fd(::socket(peer.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::make("failed", std::string("socket: ") + std::strerror(errno));
  if (mark) {
    std::uint32_t m = *mark;
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_MARK, &m, sizeof m);
  }
  sockaddr_storage ss{};
  socklen_t len = sys::to_sockaddr(sys::Endpoint{peer, ike::kIkePort}, ss);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)  // NOLINT
    return Error::make("failed", fmt::format("no route to {}: {}", peer.str(), std::strerror(errno)));
  sockaddr_storage me{};
  socklen_t mlen = sizeof me;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&me), &mlen) != 0)  // NOLINT
    return Error::make("failed", std::string("getsockname: ") + std::strerror(errno));
  auto ep = sys::from_sockaddr(me);
  if (!ep) return Error::make("failed", "getsockname: unknown address family");
  return ep->addr;
}

}  // namespace ipseckit::ikeview
