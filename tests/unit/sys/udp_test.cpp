#include <doctest/doctest.h>

#include <poll.h>
#include <unistd.h>

#include <string>

#include "sys/udp_socket.h"

using namespace ipseckit;
using namespace ipseckit::sys;

namespace {
Endpoint lo(std::uint16_t port = 0) { return Endpoint{*wire::IpAddr::parse("127.0.0.1"), port}; }
void wait_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  poll(&p, 1, 2000);
}
}  // namespace

TEST_CASE("UDP sockets on loopback: marks, pktinfo, single and batched I/O") {
  UdpOptions a_opt;
  a_opt.bind = lo();
  a_opt.pktinfo = true;
  if (geteuid() == 0) a_opt.mark = 0x1;  // SO_MARK needs CAP_NET_ADMIN
  auto a = UdpSocket::open(a_opt);
  REQUIRE_MESSAGE(a.ok(), a.error().message);
  auto b = UdpSocket::open(UdpOptions{lo(), std::nullopt, false, false, true, false, 0, 0, false});
  REQUIRE(b.ok());
  CHECK(a->local().port != 0);

  const std::string hello = "hello";
  REQUIRE(b->send_to(ByteView(reinterpret_cast<const std::uint8_t*>(hello.data()), hello.size()), a->local()).ok());
  wait_readable(a->fd());
  std::uint8_t buf[2048];
  auto got = a->recv(buf);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(std::string(reinterpret_cast<const char*>((*got)->data.data()), (*got)->data.size()) == "hello");
  CHECK((*got)->peer == b->local());
  REQUIRE((*got)->local.has_value());
  CHECK((*got)->local->str() == "127.0.0.1");
  auto none = a->recv(buf);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  UdpBatch out(16, 1500), in(32, 1500);
  for (std::uint8_t i = 0; i < 16; ++i) {
    Bytes d(100 + i, i);
    CHECK(out.add(d, a->local()));
  }
  CHECK_FALSE(out.add(Bytes(1), a->local()));  // full
  CHECK_FALSE(UdpBatch(1, 10).add(Bytes(11), a->local()));  // larger than the mtu
  auto sent = out.send(*b);
  REQUIRE(sent.ok());
  CHECK(*sent == 16);
  std::size_t received = 0;
  for (int tries = 0; tries < 50 && received < 16; ++tries) {
    wait_readable(a->fd());
    auto r = in.recv(*a);
    REQUIRE(r.ok());
    for (const auto& d : *r) {
      CHECK(d.data.size() == 100 + received);
      CHECK(d.data[0] == received);
      CHECK(d.peer == b->local());
      ++received;
    }
  }
  CHECK(received == 16);
}

TEST_CASE("UDP bind errors name the endpoint") {
  auto a = UdpSocket::open(UdpOptions{lo(), std::nullopt, false, false, true, false, 0, 0, false});
  REQUIRE(a.ok());
  auto clash = UdpSocket::open(UdpOptions{a->local(), std::nullopt, false, false, true, false, 0, 0, false});
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().message.find("127.0.0.1:" + std::to_string(a->local().port)) != std::string::npos);
}

TEST_CASE("send_to from an address: IP_PKTINFO picks the source of a socket bound to any") {
  // 127.0.0.0/8 is all local on lo: a socket bound to 0.0.0.0 can send from 127.0.0.2.
  UdpOptions any_opt;
  any_opt.bind = Endpoint{*wire::IpAddr::parse("0.0.0.0"), 0};
  auto tx = UdpSocket::open(any_opt);
  REQUIRE_MESSAGE(tx.ok(), tx.error().message);
  UdpOptions rx_opt;
  rx_opt.bind = lo();
  rx_opt.pktinfo = true;
  auto rx = UdpSocket::open(rx_opt);
  REQUIRE(rx.ok());
  const Bytes d(8, 0x42);
  const auto from = *wire::IpAddr::parse("127.0.0.2");
  std::uint8_t buf[64];
  auto receive = [&]() {
    wait_readable(rx->fd());
    auto got = rx->recv(buf);
    REQUIRE(got.ok());
    REQUIRE(got->has_value());
    return **got;
  };
  REQUIRE(tx->send_to(d, rx->local(), from).ok());
  auto g = receive();
  CHECK(g.peer.addr == from);
  CHECK(g.peer.port == tx->local().port);
  CHECK(g.data.size() == 8);
  // No address, the unspecified one or one of the other family: the kernel's choice.
  for (const auto& f : {std::optional<wire::IpAddr>{}, wire::IpAddr::parse("0.0.0.0"), wire::IpAddr::parse("::1")}) {
    REQUIRE(tx->send_to(d, rx->local(), f).ok());
    CHECK(receive().peer.addr.str() == "127.0.0.1");
  }
  // An address this host does not have: the error names both ends.
  auto bad = tx->send_to(d, rx->local(), wire::IpAddr::parse("192.0.2.77"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("send from 192.0.2.77 to 127.0.0.1:") != std::string::npos);
}

TEST_CASE("UDP natt_ike_only: the kernel drops ESP-in-UDP, keeps IKE, keepalives and runts (RFC 3948 §2.2)") {
  UdpOptions o;
  o.bind = lo();
  o.natt_ike_only = true;
  auto ike = UdpSocket::open(o);
  REQUIRE_MESSAGE(ike.ok(), ike.error().message);
  auto peer = UdpSocket::open(UdpOptions{lo(), std::nullopt, false, false, true, false, 0, 0, false});
  REQUIRE(peer.ok());
  const Bytes esp{0x00, 0x00, 0x10, 0x01, 0, 0, 0, 1, 0xAA, 0xBB};  // SPI 0x1001, seq 1
  const Bytes esp4{0x01, 0x02, 0x03, 0x04};
  const Bytes ike_msg{0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44};  // non-ESP marker + IKE
  const Bytes keepalive{0xFF};
  const Bytes runt{0x01, 0x02};
  for (const Bytes* d : {&esp, &ike_msg, &esp4, &keepalive, &runt}) REQUIRE(peer->send_to(*d, ike->local()).ok());
  std::vector<Bytes> got;
  std::uint8_t buf[2048];
  for (int tries = 0; tries < 50 && got.size() < 3; ++tries) {
    wait_readable(ike->fd());
    for (;;) {
      auto r = ike->recv(buf);
      REQUIRE(r.ok());
      if (!r->has_value()) break;
      got.emplace_back((*r)->data.begin(), (*r)->data.end());
    }
  }
  REQUIRE(got.size() == 3);
  CHECK(got[0] == ike_msg);
  CHECK(got[1] == keepalive);
  CHECK(got[2] == runt);
  pollfd p{ike->fd(), POLLIN, 0};
  CHECK(poll(&p, 1, 50) == 0);  // nothing else: both ESP datagrams were dropped
}
