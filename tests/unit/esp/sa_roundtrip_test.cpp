// Two SAs talking in one process: every suite x mode x address family x encapsulation x ESN,
// packets of several sizes protected by an OutboundSa and recovered byte for byte by the
// matching InboundSa; plus the outer header choices (DSCP/ECN, DF, TTL) and the wire layout.
#include <doctest/doctest.h>

#include <vector>

#include "esp/suite.h"
#include "support.h"
#include "wire/ip_packet.h"
#include "wire/udp.h"

using namespace esptest;
using policy::Cipher;
using policy::Integrity;

namespace {

struct Suite {
  std::optional<policy::EspTransform> esp;
  std::optional<Integrity> ah;
};

std::vector<Suite> all_suites() {
  using T = policy::EspTransform;
  return {
      {T{Cipher::aes128, Integrity::sha1}, {}},     {T{Cipher::aes192, Integrity::sha256}, {}},
      {T{Cipher::aes256, Integrity::sha512}, {}},   {T{Cipher::aes128, Integrity::sha384}, {}},
      {T{Cipher::des3, Integrity::sha1}, {}},       {T{Cipher::des3, Integrity::md5}, {}},
      {T{Cipher::des, Integrity::md5}, {}},         {T{Cipher::none, Integrity::sha256}, {}},
      {T{Cipher::aes_gcm128, Integrity::none}, {}}, {T{Cipher::aes_gcm192, Integrity::none}, {}},
      {T{Cipher::aes_gcm256, Integrity::none}, {}}, {T{Cipher::none, Integrity::aes_gmac128}, {}},
      {T{Cipher::none, Integrity::aes_gmac256}, {}}, {T{Cipher::aes128, Integrity::none}, {}},
      {{}, Integrity::sha1},                        {{}, Integrity::md5},
      {{}, Integrity::sha256},                      {{}, Integrity::sha384},
      {{}, Integrity::sha512},                      {{}, Integrity::aes_gmac128},
      {T{Cipher::des3, Integrity::sha1}, Integrity::sha1},  // Windows AH[SHA]+ESP[3DES,SHA]
      {T{Cipher::aes_gcm128, Integrity::none}, Integrity::sha256},
  };
}

struct Family {
  const char* outer_local;
  const char* outer_remote;
  const char* inner_src;
  const char* inner_dst;
};

Bytes inner_packet(const char* src, const char* dst, std::size_t payload) {
  return wire::IpAddr::parse(src)->is_v6() ? ipv6_udp(src, dst, payload) : ipv4_udp(src, dst, payload, payload > 600);
}

}  // namespace

TEST_CASE("round trip: every suite x mode x family x encapsulation x ESN") {
  const Family v4v4{"192.0.2.1", "198.51.100.2", "10.1.0.5", "10.2.0.7"};
  const Family v6v6{"2001:db8::1", "2001:db8:1::2", "fd00:1::5", "fd00:2::7"};
  const Family v4v6{"192.0.2.1", "198.51.100.2", "fd00:1::5", "fd00:2::7"};
  const Family v6v4{"2001:db8::1", "2001:db8:1::2", "10.1.0.5", "10.2.0.7"};
  int pairs = 0, packets = 0;
  for (const Suite& s : all_suites()) {
    for (esp::Mode mode : {esp::Mode::transport, esp::Mode::tunnel}) {
      for (const Family* f : {&v4v4, &v6v6, &v4v6, &v6v4}) {
        const bool tunnel = mode == esp::Mode::tunnel;
        if (!tunnel && f != &v4v4 && f != &v6v6) continue;  // transport: one family
        for (bool udp : {false, true}) {
          if (udp && s.ah) continue;  // RFC 3948 encapsulates ESP only
          for (bool esn : {false, true}) {
            const char* local = tunnel ? f->outer_local : f->inner_src;
            const char* remote = tunnel ? f->outer_remote : f->inner_dst;
            esp::SaConfig c = make_config(mode, s.esp, s.ah, local, remote);
            c.esn = esn;
            if (udp) c.udp_encap = esp::UdpEncapParams{4500, 4500, {}, {}};
            auto p = make_pair(c, mirrored(c));
            const std::string what = (s.esp ? esp::describe(*esp::esp_suite(*s.esp)) : std::string()) +
                                     (s.ah ? " " + esp::describe(*esp::ah_suite(*s.ah)) : std::string()) +
                                     (tunnel ? " tunnel " : " transport ") + local + " " + f->inner_src +
                                     (udp ? " udp" : "") + (esn ? " esn" : "");
            INFO(what);
            for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{13}, std::size_t{200}, std::size_t{1372}}) {
              const Bytes inner = inner_packet(f->inner_src, f->inner_dst, n);
              Buf buf;
              auto pkt = buf.load(inner);
              const auto tx = p->out->protect(pkt);
              REQUIRE(tx.status == esp::TxStatus::ok);
              CHECK(pkt.size() == p->out->outer_size(inner.size(), tunnel ? 0 : (inner[0] >> 4 == 6 ? 40 : 20)));
              const Bytes wire_bytes(pkt.view().begin(), pkt.view().end());
              // The outer packet is a valid IP packet carrying the right protocol.
              auto info = esp::inspect_received(wire_bytes);
              REQUIRE(info.ok());
              CHECK(info->total_len == wire_bytes.size());
              CHECK(info->proto == (udp ? 17 : (s.ah ? 51 : 50)));
              CHECK(info->src == wire::IpAddr::parse(local).value());
              if (s.esp && esp::esp_suite(*s.esp)->kind != esp::CipherKind::null &&
                  esp::esp_suite(*s.esp)->kind != esp::CipherKind::gmac && n >= 13) {
                // Confidentiality: the payload bytes 0,1,2,...,12 do not appear in clear.
                const Bytes probe = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
                CHECK(std::search(wire_bytes.begin(), wire_bytes.end(), probe.begin(), probe.end()) == wire_bytes.end());
              }
              Buf rbuf;
              auto rpkt = rbuf.load(wire_bytes, 0);
              REQUIRE(p->in->unprotect(rpkt) == esp::RxStatus::ok);
              CHECK(to_hex(rpkt.view()) == to_hex(inner));
              ++packets;
            }
            CHECK(p->in->counters().ok == 5);
            CHECK(p->in->counters().outcomes() == 5);
            CHECK(p->out->counters().ok == 5);
            CHECK(p->out->counters().bytes == p->in->counters().bytes);
            ++pairs;
          }
        }
      }
    }
  }
  MESSAGE(pairs << " SA pairs, " << packets << " packets");
  CHECK(pairs > 300);
}

TEST_CASE("tunnel outer header: DSCP and ECN copied, TTL set, DF per policy (RFC 4301 §5.1.2, §8.1)") {
  esp::SaConfig c = make_config(esp::Mode::tunnel, policy::EspTransform{Cipher::aes_gcm128, Integrity::none}, {},
                                "192.0.2.1", "198.51.100.2");
  c.outer_ttl = 17;
  for (esp::DfPolicy df : {esp::DfPolicy::copy, esp::DfPolicy::set, esp::DfPolicy::clear}) {
    c.df = df;
    auto p = make_pair(c, mirrored(c));
    for (bool inner_df : {false, true}) {
      const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", 40, inner_df, 0xB9);  // DSCP 46, ECT(1)
      Buf buf;
      auto pkt = buf.load(inner);
      REQUIRE(p->out->protect(pkt).status == esp::TxStatus::ok);
      auto h = wire::parse_ipv4_header(pkt.view());
      REQUIRE(h.ok());
      CHECK(h->tos == 0xB9);
      CHECK(h->ttl == 17);
      const bool want_df = df == esp::DfPolicy::set || (df == esp::DfPolicy::copy && inner_df);
      CHECK(((h->flags_frag & 0x4000) != 0) == want_df);
    }
  }
}

TEST_CASE("tunnel decapsulation: an outer CE mark reaches an ECN-capable inner packet (RFC 6040)") {
  esp::SaConfig c = make_config(esp::Mode::tunnel, policy::EspTransform{Cipher::aes128, Integrity::sha1}, {},
                                "192.0.2.1", "198.51.100.2");
  auto p = make_pair(c, mirrored(c));
  for (std::uint8_t inner_tos : {std::uint8_t{0x02}, std::uint8_t{0x00}}) {
    const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", 40, false, inner_tos);
    Buf buf;
    auto pkt = buf.load(inner);
    REQUIRE(p->out->protect(pkt).status == esp::TxStatus::ok);
    Bytes w(pkt.view().begin(), pkt.view().end());
    w[1] |= 0x03;  // a router marks CE on the outer header (not covered by the ICV)
    w[10] = w[11] = 0;
    const std::uint16_t sum = wire::inet_checksum(ByteView(w).first(20));
    w[10] = static_cast<std::uint8_t>(sum >> 8);
    w[11] = static_cast<std::uint8_t>(sum);
    Buf rbuf;
    auto r = rbuf.load(w, 0);
    REQUIRE(p->in->unprotect(r) == esp::RxStatus::ok);
    auto h = wire::parse_ipv4_header(r.view());
    REQUIRE(h.ok());  // checksum still valid after the change
    CHECK((h->tos & 3) == (inner_tos == 0 ? 0 : 3));
  }
}

TEST_CASE("UDP encapsulation layout (RFC 3948 §2.1): ports, zero checksum over IPv4, non-zero over IPv6") {
  for (const char* fam : {"v4", "v6"}) {
    const bool v6 = std::string(fam) == "v6";
    esp::SaConfig c = make_config(esp::Mode::tunnel, policy::EspTransform{Cipher::aes_gcm128, Integrity::none}, {},
                                  v6 ? "2001:db8::1" : "192.0.2.1", v6 ? "2001:db8::2" : "198.51.100.2");
    c.udp_encap = esp::UdpEncapParams{4500, 31337, {}, {}};
    auto p = make_pair(c, mirrored(c));
    const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", 100);
    Buf buf;
    auto pkt = buf.load(inner);
    auto tx = p->out->protect(pkt);
    REQUIRE(tx.status == esp::TxStatus::ok);
    CHECK(tx.l4_offset == (v6 ? 40u : 20u));
    auto u = wire::parse_udp_header(pkt.view().subspan(tx.l4_offset));
    REQUIRE(u.ok());
    CHECK(u->src_port == 4500);
    CHECK(u->dst_port == 31337);
    CHECK(u->length == pkt.size() - tx.l4_offset);
    if (v6) {
      CHECK(u->checksum != 0);
      CHECK(l4_checksum_ok(pkt.view()));
    } else {
      CHECK(u->checksum == 0);
    }
  }
}
