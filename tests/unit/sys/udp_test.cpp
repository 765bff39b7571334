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
  auto b = UdpSocket::open(UdpOptions{lo(), std::nullopt, false, false, true, false, 0, 0});
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
  auto a = UdpSocket::open(UdpOptions{lo(), std::nullopt, false, false, true, false, 0, 0});
  REQUIRE(a.ok());
  auto clash = UdpSocket::open(UdpOptions{a->local(), std::nullopt, false, false, true, false, 0, 0});
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().message.find("127.0.0.1:" + std::to_string(a->local().port)) != std::string::npos);
}
