// NAT traversal (RFC 3947, draft-02 code points, RFC 3948 keepalives) through a simulated
// NAT between the harness peers: a sits at 192.0.2.10 behind a NAT whose public address is
// 203.0.113.7; the NAT maps a's UDP 500 to 40500 and 4500 to 44500.
#include <doctest/doctest.h>

#include "unit/ikeengine/harness.h"
#include "wire/isakmp_vendor.h"

using namespace iketest;

namespace {

struct Nat {
  wire::IpAddr inside = ip("192.0.2.10");
  wire::IpAddr outside = ip("203.0.113.7");
  std::map<std::uint16_t, std::uint16_t> map{{500, 40500}, {4500, 44500}};
  bool operator()(Datagram& d) const {
    if (d.from.addr == inside) {
      auto it = map.find(d.from.port);
      if (it == map.end()) return false;
      d.from = Endpoint{outside, it->second};
      return true;
    }
    if (d.to.addr == outside) {
      for (const auto& [in, out] : map)
        if (out == d.to.port) {
          d.to = Endpoint{inside, in};
          return true;
        }
      return false;  // no mapping: the NAT drops it
    }
    return true;
  }
};

// a behind the NAT.
void behind_nat(Pair& p, std::shared_ptr<Nat> nat) {
  p.net.detach(p.a);
  p.a.addr = Endpoint{nat->inside, 500};
  p.net.attach(p.a);
  p.net.filter = [nat](Datagram& d) { return (*nat)(d); };
}

std::optional<isakmp::Message> decode(const Datagram& d) {
  ByteView v = d.data;
  if (d.to.port == kNatTPort || d.from.port == kNatTPort) {
    if (v.size() < 4) return std::nullopt;
    v = v.subspan(4);
  }
  auto m = isakmp::decode_message(v);
  if (!m) return std::nullopt;
  return *m;
}

}  // namespace

TEST_CASE("no NAT: NAT-T is announced but nothing floats") {
  Pair p;
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p2_up.size() == 1);
  CHECK(!p.a.p1_up[0].nat_local);
  CHECK(!p.a.p1_up[0].nat_remote);
  CHECK(!p.b.p1_up[0].nat_remote);
  CHECK(p.a.p2_up[0].mode == isakmp::EncapsulationMode::tunnel);
  CHECK(!p.a.p2_up[0].udp_encap);
  for (const auto& d : p.net.sent) CHECK(d.to.port == 500);
  // Message 1 carries the NAT-T (3), DPD and FRAGMENTATION vendor IDs; message 3 the NAT-D payloads.
  auto m1 = decode(p.net.sent[0]);
  REQUIRE(m1);
  CHECK(m1->count(isakmp::PayloadType::vendor_id) == 5);
  auto m3 = decode(p.net.sent[2]);
  REQUIRE(m3);
  CHECK(m3->count(isakmp::PayloadType::nat_d) == 2);
  CHECK(p.a.logged("no NAT between the peers"));
}

TEST_CASE("behind a NAT: detection in messages 3/4, float to 4500, UDP-encapsulated tunnel") {
  Pair p;
  auto nat = std::make_shared<Nat>();
  behind_nat(p, nat);
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p1_up.size() == 1);
  REQUIRE(p.b.p1_up.size() == 1);
  CHECK(p.a.p1_up[0].nat_local);
  CHECK(!p.a.p1_up[0].nat_remote);
  CHECK(!p.b.p1_up[0].nat_local);
  CHECK(p.b.p1_up[0].nat_remote);
  CHECK(p.a.logged("NAT detected: we are behind a NAT"));
  CHECK(p.b.logged("NAT detected: the peer (203.0.113.7:40500) is behind a NAT"));
  CHECK(p.a.logged("NAT-T: floating to 192.0.2.10:4500 -> 198.51.100.2:4500"));
  // Both ends know the other's port; the SAs carry it for the data plane.
  CHECK(p.a.p1_up[0].local == Endpoint{ip("192.0.2.10"), 4500});
  CHECK(p.a.p1_up[0].remote == Endpoint{ip("198.51.100.2"), 4500});
  CHECK(p.b.p1_up[0].remote == Endpoint{ip("203.0.113.7"), 44500});
  CHECK(p.b.p1_up[0].local == Endpoint{ip("198.51.100.2"), 4500});
  REQUIRE(p.a.p2_up.size() == 1);
  REQUIRE(p.b.p2_up.size() == 1);
  CHECK(p.a.p2_up[0].mode == isakmp::EncapsulationMode::udp_tunnel);
  CHECK(p.b.p2_up[0].mode == isakmp::EncapsulationMode::udp_tunnel);
  CHECK(p.a.p2_up[0].udp_encap);
  CHECK(p.b.p2_up[0].remote == Endpoint{ip("203.0.113.7"), 44500});
  // From message 5 on, every IKE datagram uses 4500 and starts with the non-ESP marker.
  std::size_t on_4500 = 0;
  for (std::size_t i = 4; i < p.net.sent.size(); ++i) {
    const auto& d = p.net.sent[i];
    CHECK(d.to.port != 500);
    REQUIRE(d.data.size() > 4);
    CHECK((d.data[0] | d.data[1] | d.data[2] | d.data[3]) == 0);
    ++on_4500;
  }
  CHECK(on_4500 >= 5);  // MM5, MM6, QM1-3
  // Deletes still reach the peer through the NAT.
  REQUIRE(p.b.engine->delete_phase2(p.b.p2_up[0].id).ok());
  p.net.run();
  CHECK(p.a.engine->child_sas().empty());
}

TEST_CASE("keepalives come from the side behind the NAT only") {
  Pair p;
  auto nat = std::make_shared<Nat>();
  behind_nat(p, nat);
  p.a.cfg.dpd = p.b.cfg.dpd = false;
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p2_up.size() == 1);
  const auto before = p.net.sent.size();
  p.net.elapse(Millis(65000), Millis(1000));
  std::size_t from_a = 0, from_b = 0;
  for (std::size_t i = before; i < p.net.sent.size(); ++i) {
    const auto& d = p.net.sent[i];
    if (d.data.size() == 1 && d.data[0] == 0xFF) {
      (d.from.addr == ip("192.0.2.10") ? from_a : from_b)++;
      CHECK(d.from.port == 4500);
      CHECK(d.to.port == 4500);
    }
  }
  CHECK(from_a == 3);  // every 20 s
  CHECK(from_b == 0);
  CHECK(p.b.engine->stats().malformed == 0);  // the keepalives were recognised
}

TEST_CASE("draft-02 peer: draft vendor ID, NAT-D payload 130 and encapsulation mode 61443") {
  Pair p;
  auto nat = std::make_shared<Nat>();
  behind_nat(p, nat);
  // Message 1 loses its RFC 3947 vendor ID on the way, as if a were a draft-only peer.
  p.net.filter = [nat](Datagram& d) {
    if (d.from.port == 500 && d.data.size() > 18 && d.data[18] == 2 && d.data[19] == 0) {
      auto m = isakmp::decode_message(d.data);
      if (m && m->header.responder_cookie == isakmp::Cookie{}) {
        std::vector<isakmp::Payload> keep;
        for (auto& pl : m->payloads) {
          const auto* v = pl.as<isakmp::VendorIdPayload>();
          if (v && isakmp::identify_vendor(v->data) == isakmp::KnownVendor::nat_t_rfc3947) continue;
          keep.push_back(pl);
        }
        d.data = *isakmp::encode_message(m->header, keep);
      }
    }
    return (*nat)(d);
  };
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p2_up.size() == 1);
  REQUIRE(p.b.p2_up.size() == 1);
  CHECK(p.a.p2_up[0].mode == isakmp::EncapsulationMode::udp_tunnel_draft);
  CHECK(p.b.p2_up[0].mode == isakmp::EncapsulationMode::udp_tunnel_draft);
  CHECK(p.b.p2_up[0].udp_encap);
  auto m4 = decode(p.net.sent[3]);
  REQUIRE(m4);
  CHECK(m4->count(isakmp::PayloadType::nat_d_draft) == 2);
  CHECK(m4->count(isakmp::PayloadType::nat_d) == 0);
}

TEST_CASE("transport mode through a NAT: UDP-encapsulated transport with NAT-OA") {
  Pair p({policy::Cipher::aes128, policy::Integrity::sha1, policy::DhGroup::modp1024, 28800, 0},
         {esp(policy::Cipher::aes128, policy::Integrity::sha1)}, false);
  auto nat = std::make_shared<Nat>();
  behind_nat(p, nat);
  p.a.policy.qm->local = TrafficSelector::host(ip("192.0.2.10"), 17, 1701);
  p.a.policy.qm->remote = TrafficSelector::host(ip("198.51.100.2"), 17, 1701);
  p.b.policy.qm->local = TrafficSelector::host(ip("198.51.100.2"), 17, 1701);
  p.b.policy.qm->remote = TrafficSelector::host(ip("192.0.2.10"), 17, 1701);
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p2_up.size() == 1);
  REQUIRE(p.b.p2_up.size() == 1);
  CHECK(p.a.p2_up[0].mode == isakmp::EncapsulationMode::udp_transport);
  CHECK(!p.b.p2_up[0].tunnel);
  // Each side learns the other's original address.
  REQUIRE(p.b.p2_up[0].nat_oa_peer);
  CHECK(*p.b.p2_up[0].nat_oa_peer == ip("192.0.2.10"));
  REQUIRE(p.a.p2_up[0].nat_oa_peer);
  CHECK(*p.a.p2_up[0].nat_oa_peer == ip("198.51.100.2"));
}

TEST_CASE("the NAT changes its mapping: the responder follows the authenticated peer") {
  Pair p;
  auto nat = std::make_shared<Nat>();
  behind_nat(p, nat);
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.b.p2_up.size() == 1);
  nat->map[4500] = 45000;  // rebinding
  REQUIRE(p.a.engine->initiate(p.a.addr, p.b.addr, *p.a.policy.qm).ok());  // any protected message
  p.net.run();
  CHECK(p.b.logged("NAT-T: peer now at 203.0.113.7:45000 (was 203.0.113.7:44500)"));
  // The existing phase-2 SA moved with it, and the daemon is told.
  REQUIRE(p.b.p2_moved.size() == 1);
  CHECK(p.b.p2_moved[0].first == p.b.p2_up[0].id);
  CHECK(p.b.p2_moved[0].second == Endpoint{ip("203.0.113.7"), 45000});
  CHECK(p.b.p2_up.size() == 2);
  CHECK(p.b.p2_up[1].remote == Endpoint{ip("203.0.113.7"), 45000});
}

TEST_CASE("transport mode through a NAT: the responder matches the initiator's private ID as the NAT's address") {
  // As a Windows L2TP/IPsec client behind a NAT: IDci is its private address, the responder's
  // policy (like the SPD's transport rules) only knows the address the packets come from.
  Pair p({policy::Cipher::aes128, policy::Integrity::sha1, policy::DhGroup::modp1024, 28800, 0},
         {esp(policy::Cipher::aes128, policy::Integrity::sha1)}, false);
  auto nat = std::make_shared<Nat>();
  behind_nat(p, nat);
  p.a.policy.qm->local = TrafficSelector::host(ip("192.0.2.10"), 17, 1701);
  p.a.policy.qm->remote = TrafficSelector::host(ip("198.51.100.2"), 17, 0);
  p.b.policy.qm->local = TrafficSelector::host(ip("198.51.100.2"), 17, 0);
  p.b.policy.qm->remote = TrafficSelector::host(nat->outside, 17, 1701);
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p2_up.size() == 1);
  REQUIRE(p.b.p2_up.size() == 1);
  CHECK(!p.b.p2_up[0].tunnel);
  // the responder's SA protects the traffic as it arrives (from the NAT), the initiator's as sent
  CHECK(p.b.p2_up[0].remote_ts.prefix == wire::IpPrefix::host(nat->outside));
  CHECK(p.b.p2_up[0].remote_ts.port == 1701);
  CHECK(p.a.p2_up[0].local_ts.prefix == wire::IpPrefix::host(ip("192.0.2.10")));
}

TEST_CASE("parallel Main Modes from one address behind a NAT all complete after the float") {
  Pair p;
  auto nat = std::make_shared<Nat>();
  behind_nat(p, nat);
  p.start();
  constexpr std::size_t kParallel = 6;
  for (std::size_t i = 0; i < kParallel; ++i) REQUIRE(p.a.engine->initiate_phase1(p.a.addr, p.b.addr).ok());
  p.net.run();
  INFO(p.b.log_text());
  CHECK(p.b.engine->stats().unknown_sa == 0);
  CHECK(p.a.p1_up.size() == kParallel);
  CHECK(p.b.p1_up.size() == kParallel);
  for (const auto& i : p.b.p1_up) CHECK(i.remote == Endpoint{ip("203.0.113.7"), 44500});
}

TEST_CASE("message 5 on 4500 for a half-open SA that timed out is explained, not 'unknown cookies'") {
  // The responder cookie must not depend on the peer's port: after the float, message 5
  // comes from another port (4500, or whatever the NAT maps it to) than message 1 did.
  Pair p;
  auto nat = std::make_shared<Nat>();
  behind_nat(p, nat);
  p.b.cfg.half_open_timeout = Millis(1000);
  bool dropped = false;
  p.net.filter = [nat, &dropped](Datagram& d) {
    if (!dropped && d.from.port == kNatTPort && d.to.port == kNatTPort) {  // the first message 5
      dropped = true;
      return false;
    }
    return (*nat)(d);
  };
  p.start();
  REQUIRE(p.a.engine->initiate_phase1(p.a.addr, p.b.addr).ok());
  p.net.run();
  REQUIRE(dropped);
  p.net.elapse(Millis(2500), Millis(500));  // b gives up at 1 s; a retransmits message 5 at 2 s
  INFO(p.b.log_text());
  CHECK(p.b.p1_up.empty());
  CHECK(p.b.engine->stats().stale_cookies >= 1);
  CHECK(p.b.logged("Main Mode message from 203.0.113.7:44500 carries our cookie but its half-open SA is gone"));
  CHECK(!p.b.logged("unknown cookies"));
}

TEST_CASE("behind a NAT: a refused message 5 is answered on 4500, where it came from") {
  // RFC 3947 4: after the float the exchange stays on 4500, its error notify included.
  Pair p;
  auto nat = std::make_shared<Nat>();
  behind_nat(p, nat);
  p.a.policy.mm->local_id = isakmp::IdPayload::fqdn("road2.example.com");
  p.b.policy.mm->peer_id = isakmp::IdPayload::fqdn("road1.example.com");
  p.start();
  REQUIRE(p.a.engine->initiate_phase1(p.a.addr, p.b.addr).ok());
  p.net.run();
  INFO(p.b.log_text());
  CHECK(p.b.p1_up.empty());
  REQUIRE(p.b.logged("Main Mode message 5: the peer authenticated as ID_FQDN road2.example.com"));
  std::size_t notifies = 0;
  for (const auto& d : p.net.sent) {
    if (d.from.addr != p.b.addr.addr) continue;
    auto m = decode(d);
    if (!m || m->header.exchange != isakmp::ExchangeType::informational) continue;
    ++notifies;
    CHECK(d.from.port == kNatTPort);
    CHECK(d.to == Endpoint{ip("203.0.113.7"), 44500});
  }
  CHECK(notifies == 1);
}
