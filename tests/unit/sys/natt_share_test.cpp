// The NAT-T port shared by two processes (sys/natt_share.h), on loopback: a child process
// plays the IKE daemon, this one espd; each order and each restart is checked by where a
// keepalive, an IKE-marked datagram and ESP datagrams land.
#include <doctest/doctest.h>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <optional>

#include "sys/natt_share.h"
#include "sys/udp_socket.h"

using namespace ipseckit;
using namespace ipseckit::sys;

namespace {

// The loopback address of the family under test: the kernel keeps IPv4 and IPv6 SO_REUSEPORT
// sockets in different orders (natt_share.cpp port_members), so both are exercised.
const char* g_lo = "127.0.0.1";
Endpoint lo(std::uint16_t port) { return Endpoint{*wire::IpAddr::parse(g_lo), port}; }

bool readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) == 1;
}

Result<UdpSocket> open_share(std::uint16_t port, NattShare role) {
  UdpOptions o;
  o.bind = lo(port);
  o.natt_share = role;
  return UdpSocket::open(o);
}

Result<UdpSocket> open_plain(std::uint16_t port) { return open_share(port, NattShare::none); }

// The IKE daemon: a child that binds the port and reports the first byte of every datagram.
struct IkeChild {
  pid_t pid = -1;
  int report = -1, stop = -1;
  static std::optional<IkeChild> start(std::uint16_t port) {
    int up[2], down[2];
    if (::pipe(up) != 0 || ::pipe(down) != 0) return std::nullopt;
    const pid_t pid = ::fork();
    if (pid == 0) {
      for (int fd = 3; fd < 1024; ++fd)  // the parent's sockets stay its own (no exec: no CLOEXEC)
        if (fd != up[1] && fd != down[0]) ::close(fd);
      auto s = open_share(port, NattShare::ike);
      std::uint8_t ready = s ? 'R' : 'E';
      (void)!::write(up[1], &ready, 1);
      std::array<std::uint8_t, 256> buf{};
      for (;;) {
        pollfd p[2] = {{s ? s->fd() : -1, POLLIN, 0}, {down[0], POLLIN, 0}};
        ::poll(p, 2, 5000);
        if (p[1].revents || !s) ::_exit(0);
        if (auto d = s->recv(buf); d && *d) (void)!::write(up[1], (*d)->data.data(), 1);
      }
    }
    ::close(up[1]);
    ::close(down[0]);
    IkeChild c{pid, up[0], down[1]};
    std::uint8_t ready = 0;
    if (!readable(c.report, 2000) || ::read(c.report, &ready, 1) != 1 || ready != 'R') return std::nullopt;
    return c;
  }
  // The first byte of the next datagram the child got, or -1.
  int next(int ms) const {
    std::uint8_t b = 0;
    if (!readable(report, ms) || ::read(report, &b, 1) != 1) return -1;
    return b;
  }
  void quit() {
    (void)!::write(stop, "x", 1);
    int st = 0;
    ::waitpid(pid, &st, 0);
    ::close(report);
    ::close(stop);
  }
};

// Sends a keepalive, an IKE-marked datagram and ESP of two SPIs to the port: the child must
// get the first two, `esp` all ESP datagrams and nothing else.
void check_steering(UdpSocket& client, std::uint16_t port, IkeChild& ike, UdpSocket& esp) {
  const std::uint8_t ka[] = {0xFF};
  const std::uint8_t ike_msg[] = {0, 0, 0, 0, 0x11, 0x22, 0x33};
  REQUIRE(client.send_to(ByteView(ka, 1), lo(port)).ok());
  CHECK(ike.next(2000) == 0xFF);
  REQUIRE(client.send_to(ByteView(ike_msg, sizeof ike_msg), lo(port)).ok());
  CHECK(ike.next(2000) == 0);
  std::array<std::uint8_t, 256> buf{};
  for (const std::uint8_t spi_low : {std::uint8_t{1}, std::uint8_t{2}}) {
    const std::uint8_t e[] = {0, 0, 0x10, spi_low, 0, 0, 0, 1, 0xAA, 0xBB};
    REQUIRE(client.send_to(ByteView(e, sizeof e), lo(port)).ok());
    REQUIRE(readable(esp.fd(), 2000));
    auto d = esp.recv(buf);
    REQUIRE(d.ok());
    REQUIRE(d->has_value());
    CHECK((*d)->data.size() == sizeof e);
  }
  CHECK(ike.next(100) == -1);  // no ESP at the IKE daemon
}

void sharing_in_any_start_order() {
  auto client = open_plain(0);
  REQUIRE(client.ok());
  auto probe = open_share(0, NattShare::esp);  // a free port
  REQUIRE_MESSAGE(probe.ok(), probe.error().message);
  const std::uint16_t port = probe->local().port;
  probe = Error::make("failed", "closed");

  SUBCASE("IKE daemon first, restarted, then espd restarted") {
    auto ike = IkeChild::start(port);
    REQUIRE(ike);
    auto esp = open_share(port, NattShare::esp);
    REQUIRE_MESSAGE(esp.ok(), esp.error().message);
    auto l = natt_steer(esp->fd(), NattShare::esp);
    REQUIRE(l.ok());
    CHECK(*l == NattLayout{2, 0, true, 1});
    check_steering(*client, port, *ike, *esp);
    ike->quit();  // the IKE daemon restarts: espd's socket takes position 0, the new one is appended
    ike = IkeChild::start(port);
    REQUIRE(ike);
    CHECK(natt_steer(esp->fd(), NattShare::esp).value() == NattLayout{2, 1, true, 1});
    check_steering(*client, port, *ike, *esp);
    esp = Error::make("failed", "closed");  // espd restarts
    esp = open_share(port, NattShare::esp);
    REQUIRE(esp.ok());
    CHECK(natt_steer(esp->fd(), NattShare::esp).value() == NattLayout{2, 0, true, 1});
    check_steering(*client, port, *ike, *esp);
    ike->quit();
  }
  SUBCASE("espd first (two sockets, as with workers), the IKE daemon joins later") {
    auto esp = open_share(port, NattShare::esp);
    REQUIRE(esp.ok());
    auto esp2 = open_share(port, NattShare::esp);
    REQUIRE(esp2.ok());
    CHECK(natt_steer(esp2->fd(), NattShare::esp).value() == NattLayout{2, 2, false, 2});
    auto ike = IkeChild::start(port);
    REQUIRE(ike);
    CHECK(natt_steer(esp->fd(), NattShare::esp).value() == NattLayout{3, 2, true, 2});
    // SPIs 0x1001 and 0x1002 go to different espd sockets: which one is the kernel's order.
    const std::uint8_t ka[] = {0xFF};
    REQUIRE(client->send_to(ByteView(ka, 1), lo(port)).ok());
    CHECK(ike->next(2000) == 0xFF);
    std::array<std::uint8_t, 256> buf{};
    int got = 0;
    for (const std::uint8_t spi_low : {std::uint8_t{1}, std::uint8_t{2}}) {
      const std::uint8_t e[] = {0, 0, 0x10, spi_low, 0, 0, 0, 1};
      REQUIRE(client->send_to(ByteView(e, sizeof e), lo(port)).ok());
    }
    for (int i = 0; i < 20 && got < 2; ++i)
      for (auto* s : {&*esp, &*esp2})
        if (readable(s->fd(), 50)) got += s->recv(buf).value().has_value() ? 1 : 0;
    CHECK(got == 2);
    CHECK(ike->next(100) == -1);
    ike->quit();
  }
}

}  // namespace

TEST_CASE("NAT-T port sharing over IPv4: IKE and keepalives to the IKE daemon, ESP to espd, any start order") {
  g_lo = "127.0.0.1";
  sharing_in_any_start_order();
}

TEST_CASE("NAT-T port sharing over IPv6: IKE and keepalives to the IKE daemon, ESP to espd, any start order") {
  g_lo = "::1";
  sharing_in_any_start_order();
  g_lo = "127.0.0.1";
}

TEST_CASE("NAT-T port sharing refuses a port held without SO_REUSEPORT") {
  auto holder = open_plain(0);
  REQUIRE(holder.ok());
  auto esp = open_share(holder->local().port, NattShare::esp);
  CHECK_FALSE(esp.ok());
}
