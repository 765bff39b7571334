// The daemon's implementations of the engine's injected world (engine.h / env.h): UDP 500 and
// 4500 sockets with the routing mark, pre-shared keys read from the store's secret/ keys, and a
// PolicyView that follows spd/current as the agent recompiles it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ike/env.h"
#include "ike/spd_policy_view.h"
#include "store/client.h"
#include "sys/udp_socket.h"

namespace ipseckit::ikeview {

class UdpTransport final : public ike::Transport {
 public:
  // Binds UDP 500 and 4500 on `listen` (unspecified: any address of its family only).
  static Result<std::unique_ptr<UdpTransport>> open(const wire::IpAddr& listen, std::optional<std::uint32_t> mark,
                                                    std::uint16_t port500 = ike::kIkePort,
                                                    std::uint16_t port4500 = ike::kNatTPort);
  // Both families (the daemon's default): the pair of sockets above on 0.0.0.0, and a second
  // pair, opened the same way, on :: (IPV6_V6ONLY), so IP_PKTINFO / IPV6_PKTINFO source
  // selection and the NAT-T port's filters work per family unchanged. A host without IPv6
  // keeps IPv4 only; why is put in *v6_error.
  static Result<std::unique_ptr<UdpTransport>> open_both(std::optional<std::uint32_t> mark, std::uint16_t port500,
                                                         std::uint16_t port4500, std::string* v6_error);
  void send(const ike::Endpoint& local, const ike::Endpoint& remote, ByteView datagram) override;
  sys::UdpSocket& ike() { return m_ike; }
  sys::UdpSocket& natt() { return m_natt; }
  UdpTransport* v6() { return m_v6.get(); }  // the IPv6 pair of open_both(), else nullptr
  std::uint64_t send_errors() const { return m_send_errors + (m_v6 ? m_v6->send_errors() : 0); }

 private:
  UdpTransport(sys::UdpSocket a, sys::UdpSocket b)
      : m_ike(std::move(a)), m_natt(std::move(b)), m_natt_port(m_natt.local().port) {}
  sys::UdpSocket m_ike, m_natt;
  std::uint16_t m_natt_port;  // bound once: no getsockname(2) per datagram
  std::unique_ptr<UdpTransport> m_v6;
  std::uint64_t m_send_errors = 0;
};

// AuthMethod::psk_ref names a store key ({"key": "..."}, root only); an inline key is used as is.
// Keys read from the store are cached (no round trip per negotiation); the daemon watches
// secret/psk/ and secret/dynamic/ and passes their events to on_event(), so a changed or
// deleted key is never used from the cache.
class StoreSecrets final : public ike::Secrets {
 public:
  explicit StoreSecrets(store::Client& c) : m_client(c) {}
  std::optional<SecureBytes> psk(const policy::AuthMethod& method, const wire::IpAddr& peer) override;
  void on_event(const store::Event& ev);

 private:
  struct Cached {
    SecureBytes key;
    std::uint64_t revision = 0;
  };
  store::Client& m_client;
  std::map<std::string, Cached, std::less<>> m_cache;
};

// Forwards to the SPD compiled last; refuses every peer until the first SPD arrives.
class CurrentPolicy final : public ike::PolicyView {
 public:
  std::optional<ike::MmPolicy> main_mode(const wire::IpAddr& local, const wire::IpAddr& peer) const override;
  std::optional<ike::MmPolicy> main_mode_for_id(const wire::IpAddr& local, const wire::IpAddr& peer,
                                                const wire::isakmp::IdPayload& id) const override;
  std::optional<ike::QmPolicy> quick_mode(const wire::IpAddr& local, const wire::IpAddr& peer,
                                          const ike::TrafficSelector& ours,
                                          const ike::TrafficSelector& theirs) const override;
  // Replaces the SPD from spd/current's JSON; the error names what did not parse.
  Status load(const store::Json& doc);
  void clear() { m_view.reset(); }
  const ike::SpdPolicyView* view() const { return m_view.get(); }

 private:
  std::unique_ptr<ike::SpdPolicyView> m_view;
};

// This host's address towards `peer` (a connected UDP socket's source address; nothing sent).
Result<wire::IpAddr> local_address_towards(const wire::IpAddr& peer, std::optional<std::uint32_t> mark);

}  // namespace ipseckit::ikeview
