// The SA store records (esp/sa_record.h): encode -> decode round trips for every suite (AH,
// ESP, AH+ESP, GCM, GMAC, UDP encapsulation, selectors), and strict decoding whose errors name
// the offending field.
#include "esp/sa_record.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "esp/suite.h"
#include "store/protocol.h"
#include "support.h"

using namespace esptest;
using nlohmann::json;
using policy::Cipher;
using policy::Integrity;

namespace {

struct Suite {
  std::optional<policy::EspTransform> esp;
  std::optional<Integrity> ah;
};

std::vector<Suite> suites() {
  using T = policy::EspTransform;
  return {
      {T{Cipher::aes128, Integrity::sha1}, {}},
      {T{Cipher::aes192, Integrity::sha256}, {}},
      {T{Cipher::aes256, Integrity::sha512}, {}},
      {T{Cipher::aes128, Integrity::sha384}, {}},
      {T{Cipher::des3, Integrity::sha1}, {}},
      {T{Cipher::des3, Integrity::md5}, {}},
      {T{Cipher::des, Integrity::md5}, {}},
      {T{Cipher::none, Integrity::sha256}, {}},
      {T{Cipher::aes_gcm128, Integrity::none}, {}},
      {T{Cipher::aes_gcm192, Integrity::none}, {}},
      {T{Cipher::aes_gcm256, Integrity::none}, {}},
      {T{Cipher::none, Integrity::aes_gmac128}, {}},
      {T{Cipher::none, Integrity::aes_gmac256}, {}},
      {T{Cipher::aes128, Integrity::none}, {}},
      {{}, Integrity::sha1},
      {{}, Integrity::md5},
      {{}, Integrity::sha256},
      {{}, Integrity::sha512},
      {{}, Integrity::aes_gmac128},
      {T{Cipher::des3, Integrity::sha1}, Integrity::sha1},  // Windows AH[SHA]+ESP[3DES,SHA]
      {T{Cipher::aes_gcm128, Integrity::none}, Integrity::sha256},
  };
}

void check_same(const esp::SaConfig& a, const esp::SaConfig& b) {
  CHECK(a.mode == b.mode);
  CHECK(a.local == b.local);
  CHECK(a.remote == b.remote);
  REQUIRE(a.esp.has_value() == b.esp.has_value());
  if (a.esp) {
    CHECK(a.esp->spi == b.esp->spi);
    CHECK(a.esp->transform == b.esp->transform);
    CHECK(a.esp->keymat == b.esp->keymat);
  }
  REQUIRE(a.ah.has_value() == b.ah.has_value());
  if (a.ah) {
    CHECK(a.ah->spi == b.ah->spi);
    CHECK(a.ah->integrity == b.ah->integrity);
    CHECK(a.ah->keymat == b.ah->keymat);
  }
  REQUIRE(a.udp_encap.has_value() == b.udp_encap.has_value());
  if (a.udp_encap) {
    CHECK(a.udp_encap->local_port == b.udp_encap->local_port);
    CHECK(a.udp_encap->remote_port == b.udp_encap->remote_port);
    CHECK(a.udp_encap->orig_src == b.udp_encap->orig_src);
    CHECK(a.udp_encap->orig_dst == b.udp_encap->orig_dst);
  }
  CHECK(a.esn == b.esn);
  CHECK(a.replay_window == b.replay_window);
  CHECK(a.lifetime.soft_bytes == b.lifetime.soft_bytes);
  CHECK(a.lifetime.hard_seconds == b.lifetime.hard_seconds);
  CHECK(a.outer_ttl == b.outer_ttl);
  CHECK(a.df == b.df);
  CHECK(a.path_mtu == b.path_mtu);
  CHECK(a.clamp_mss == b.clamp_mss);
  CHECK(a.seq_start == b.seq_start);
  CHECK(a.replay_top == b.replay_top);
}

esp::SaConfig sample(Suite s, esp::Mode mode = esp::Mode::transport) {
  auto c = make_config(mode, s.esp, s.ah, "198.51.100.1", "198.51.100.2");
  if (c.esp) c.esp->spi = 0xc0ffee01;
  if (c.ah) c.ah->spi = 0x0000a001;
  return c;
}

esp::SaMeta meta() {
  esp::SaMeta m;
  m.direction = esp::SaDirection::in;
  m.origin = esp::SaOrigin::ike;
  m.rule = "gw-out";
  m.selectors =
      esp::SaSelectors{*wire::IpPrefix::parse("192.0.2.0/24"), *wire::IpPrefix::parse("203.0.113.0/24"), 6, 0, 443};
  m.created = 1795766400;
  return m;
}

// A record's text as a tree; the text must already be to_text()'s form of that tree (compact,
// keys sorted), as store::TxnOp::put_text requires.
json record_tree(const std::string& text) {
  json j = json::parse(text);
  CHECK(ipseckit::store::to_text(j) == text);
  return j;
}

// A valid pair of records to corrupt.
esp::EncodedSa base_records() {
  auto c = sample({policy::EspTransform{Cipher::aes128, Integrity::sha1}, {}});
  c.udp_encap = esp::UdpEncapParams{};
  return esp::encode_sa(c, meta()).value();
}

std::string decode_error(const json& pub, const json& sec) {
  auto r = esp::decode_sa(pub, sec, "esp/sa/c0ffee01");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "sa_record");
  return r.error().message;
}

}  // namespace

TEST_CASE("sa_record: every suite round-trips through both records") {
  for (const auto& s : suites()) {
    for (auto mode : {esp::Mode::transport, esp::Mode::tunnel}) {
      auto c = sample(s, mode);
      auto e = esp::encode_sa(c, meta());
      REQUIRE_MESSAGE(e.ok(), e.error().message);
      CHECK(e->spi == (c.esp ? "c0ffee01" : "0000a001"));
      CHECK(e->public_key == "esp/sa/" + e->spi);
      CHECK(e->secret_key == "secret/esp/sa/" + e->spi);
      // No key material in the public record.
      CHECK(e->public_text.find("key") == std::string::npos);
      auto d = esp::decode_sa(record_tree(e->public_text), record_tree(e->secret_text), e->public_key);
      REQUIRE_MESSAGE(d.ok(), d.error().message);
      check_same(c, d->config);
      CHECK(d->meta.direction == esp::SaDirection::in);
      CHECK(d->meta.origin == esp::SaOrigin::ike);
      CHECK(d->meta.rule == std::optional<std::string>("gw-out"));
      CHECK(d->meta.selectors == meta().selectors);
      CHECK(d->meta.created == 1795766400);
      // The decoded config builds working SAs.
      ManualClock clock;
      ScriptRng rng;
      CHECK(esp::InboundSa::create(clone(d->config), {&clock, &rng, {}}).ok());
      CHECK(esp::OutboundSa::create(clone(d->config), {&clock, &rng, {}}).ok());
      // Public only: the config without keys.
      auto p = esp::decode_sa_public(record_tree(e->public_text), e->public_key);
      REQUIRE(p.ok());
      if (p->config.esp) CHECK(p->config.esp->keymat.empty());
    }
  }
}

TEST_CASE("sa_record: UDP encapsulation, NAT-OA, ESN, lifetimes and outer options round-trip") {
  auto c = sample({policy::EspTransform{Cipher::aes_gcm256, Integrity::none}, {}}, esp::Mode::tunnel);
  c.udp_encap = esp::UdpEncapParams{4500, 31337, addr("10.0.0.5"), addr("192.0.2.7")};
  c.esn = true;
  c.replay_window = 1024;
  c.lifetime = {1000, 2000, 3, 4, 5, 6};
  c.outer_ttl = 9;
  c.df = esp::DfPolicy::clear;
  c.path_mtu = 1400;
  c.clamp_mss = 1360;
  c.seq_start = 0x1'0000'0005ULL;
  c.replay_top = 0x2'0000'0000ULL;
  esp::SaMeta m;  // no rule, no selectors
  m.created = 7;
  auto e = esp::encode_sa(c, m).value();
  const json pub = record_tree(e.public_text), sec = record_tree(e.secret_text);
  CHECK_FALSE(pub.contains("rule"));
  CHECK_FALSE(pub.contains("selectors"));
  auto d = esp::decode_sa(pub, sec, e.public_key).value();
  check_same(c, d.config);
  CHECK(d.config.lifetime.hard_packets == 4);
  CHECK(d.config.lifetime.soft_seconds == 5);
  CHECK_FALSE(d.meta.rule.has_value());
  CHECK(d.meta.direction == esp::SaDirection::out);
  CHECK(d.meta.origin == esp::SaOrigin::manual);
  CHECK(pub["udp_encap"] == json{{"local_port", 4500}, {"orig_dst", "192.0.2.7"}, {"orig_src", "10.0.0.5"},
                                  {"remote_port", 31337}});
  CHECK(pub["lifetime"] == json{{"soft_bytes", 1000}, {"hard_bytes", 2000}, {"soft_packets", 3}, {"hard_packets", 4},
                                {"soft_seconds", 5}, {"hard_seconds", 6}});
  CHECK(pub["esn"] == true);
  CHECK(pub["seq_start"] == 0x1'0000'0005ULL);
  CHECK(pub["created"] == 7);
  CHECK(sec["integrity_key"] == "");
}

TEST_CASE("sa_record: IPv6 and the documented layout") {
  auto c = make_config(esp::Mode::transport, policy::EspTransform{Cipher::des3, Integrity::sha1}, Integrity::sha1,
                       "2001:db8::1", "2001:db8::2");
  c.esp->spi = 0x1000;
  c.ah->spi = 0x2000;
  auto e = esp::encode_sa(c, {}).value();
  const json pub = record_tree(e.public_text), sec = record_tree(e.secret_text);
  CHECK(e.public_key == "esp/sa/00001000");
  CHECK(pub["esp"] == json{{"spi", "00001000"}, {"cipher", "3des-cbc"}, {"integrity", "sha1"}});
  CHECK(pub["ah"] == json{{"spi", "00002000"}, {"integrity", "sha1"}});
  CHECK(pub["peer"] == "2001:db8::2");
  CHECK(sec["encryption_key"].get<std::string>().size() == 48);
  CHECK(sec["integrity_key"].get<std::string>().size() == 40);
  CHECK(sec["ah_key"].get<std::string>().size() == 40);
  CHECK(esp::decode_sa(pub, sec).ok());
}

TEST_CASE("sa_record: encode refuses configurations decode would not accept") {
  auto c = sample({policy::EspTransform{Cipher::aes128, Integrity::sha1}, {}});
  c.esp->keymat = key_bytes(5, 1);
  CHECK(esp::encode_sa(c, {}).error().code == "config");
  auto d = sample({{}, Integrity::sha1});
  d.udp_encap = esp::UdpEncapParams{};
  CHECK(esp::encode_sa(d, {}).error().message.find("UDP") != std::string::npos);
  auto w = sample({policy::EspTransform{Cipher::aes128, Integrity::sha1}, {}});
  w.replay_window = 32;
  CHECK(esp::encode_sa(w, {}).error().message.find("replay window") != std::string::npos);
  auto s = sample({policy::EspTransform{Cipher::aes128, Integrity::sha1}, {}});
  s.esp->spi = 7;
  CHECK_FALSE(esp::encode_sa(s, {}).ok());
  esp::SaConfig none;
  CHECK_FALSE(esp::encode_sa(none, {}).ok());
}

TEST_CASE("sa_record: each bad public field is named") {
  const auto base = base_records();
  struct Case {
    const char* pointer;  // JSON pointer of the field to change
    json value;           // null = remove
    const char* named;    // expected in the message
  };
  const std::vector<Case> cases = {
      {"/spi", "C0FFEE01", "esp/sa/c0ffee01.spi"},
      {"/spi", "c0ffee02", "esp/sa/c0ffee01.spi"},
      {"/spi", 5, "esp/sa/c0ffee01.spi"},
      {"/direction", "both", "esp/sa/c0ffee01.direction"},
      {"/direction", nullptr, "esp/sa/c0ffee01.direction: missing"},
      {"/origin", "kernel", "esp/sa/c0ffee01.origin"},
      {"/mode", "beet", "esp/sa/c0ffee01.mode"},
      {"/local", "198.51.100.300", "esp/sa/c0ffee01.local"},
      {"/peer", "2001:db8::1", "esp/sa/c0ffee01.peer"},
      {"/peer", nullptr, "esp/sa/c0ffee01.peer: missing"},
      {"/esp/spi", "000000ff", "esp/sa/c0ffee01.esp.spi"},
      {"/esp/cipher", "rc4", "esp/sa/c0ffee01.esp.cipher"},
      {"/esp/integrity", "crc32", "esp/sa/c0ffee01.esp.integrity"},
      {"/esp/integrity", "none", "esp/sa/c0ffee01.esp"},  // aes-128-cbc with no integrity is fine...
      {"/esp/extra", 1, "esp/sa/c0ffee01.esp.extra: unknown field"},
      {"/esp", nullptr, "esp/sa/c0ffee01.esp: missing"},
      {"/ah", json{{"spi", "00000100"}}, "esp/sa/c0ffee01.ah.integrity"},
      {"/udp_encap/local_port", 70000, "esp/sa/c0ffee01.udp_encap.local_port"},
      {"/udp_encap/remote_port", 0, "esp/sa/c0ffee01.udp_encap.remote_port"},
      {"/udp_encap/orig_src", "x", "esp/sa/c0ffee01.udp_encap.orig_src"},
      {"/esn", "yes", "esp/sa/c0ffee01.esn"},
      {"/replay_window", 2048, "esp/sa/c0ffee01.replay_window"},
      {"/replay_window", 10, "esp/sa/c0ffee01.replay_window"},
      {"/lifetime/hard_bytes", -1, "esp/sa/c0ffee01.lifetime.hard_bytes"},
      {"/lifetime/hard_bytes", nullptr, "esp/sa/c0ffee01.lifetime.hard_bytes: missing"},
      {"/outer_ttl", 0, "esp/sa/c0ffee01.outer_ttl"},
      {"/df", "maybe", "esp/sa/c0ffee01.df"},
      {"/path_mtu", 1e9, "esp/sa/c0ffee01.path_mtu"},
      {"/clamp_mss", "1360", "esp/sa/c0ffee01.clamp_mss"},
      {"/seq_start", 0x1'0000'0000ULL, "esp/sa/c0ffee01.seq_start"},
      {"/replay_top", nullptr, "esp/sa/c0ffee01.replay_top: missing"},
      {"/rule", 3, "esp/sa/c0ffee01.rule"},
      {"/selectors/local", "198.51.100.0/33", "esp/sa/c0ffee01.selectors.local"},
      {"/selectors/remote", "2001:db8::/32", "esp/sa/c0ffee01.selectors.remote"},
      {"/selectors/protocol", 256, "esp/sa/c0ffee01.selectors.protocol"},
      {"/selectors/remote_port", 65536, "esp/sa/c0ffee01.selectors.remote_port"},
      {"/created", "now", "esp/sa/c0ffee01.created"},
      {"/created", -5, "esp/sa/c0ffee01.created"},
      {"/surprise", true, "esp/sa/c0ffee01.surprise: unknown field"},
  };
  for (const auto& tc : cases) {
    json pub = record_tree(base.public_text);
    const json::json_pointer ptr(tc.pointer);
    if (tc.value.is_null())
      pub[ptr.parent_pointer()].erase(ptr.back());
    else
      pub[ptr] = tc.value;
    if (std::string(tc.pointer) == "/esp/integrity" && tc.value == "none") {
      // aes-128-cbc without integrity is a valid (if unwise) suite: accepted.
      CHECK(esp::decode_sa_public(pub, "esp/sa/c0ffee01").ok());
      continue;
    }
    const auto msg = decode_error(pub, record_tree(base.secret_text));
    CHECK_MESSAGE(msg.find(tc.named) != std::string::npos, tc.pointer, " -> ", msg);
  }
  CHECK(decode_error(json::array(), record_tree(base.secret_text)).find("esp/sa/c0ffee01: expected an object") !=
        std::string::npos);
  // UDP encapsulation of AH alone.
  auto ah = esp::encode_sa(sample({{}, Integrity::sha1}), {}).value();
  json ah_pub = record_tree(ah.public_text);
  ah_pub["udp_encap"] = json{{"local_port", 4500}, {"remote_port", 4500}};
  auto r = esp::decode_sa_public(ah_pub, ah.public_key);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("udp_encap") != std::string::npos);
}

TEST_CASE("sa_record: each bad secret field is named") {
  const auto base = base_records();
  struct Case {
    const char* field;
    json value;
    const char* named;
  };
  const std::vector<Case> cases = {
      {"encryption_key", "00", "secret/esp/sa/c0ffee01.encryption_key: 1 bytes"},
      {"encryption_key", nullptr, "secret/esp/sa/c0ffee01.encryption_key: missing"},
      {"encryption_key", "zz112233445566778899aabbccddeeff", "secret/esp/sa/c0ffee01.encryption_key: not hex"},
      {"integrity_key", 12, "secret/esp/sa/c0ffee01.integrity_key"},
      {"integrity_key", "0011", "secret/esp/sa/c0ffee01.integrity_key"},
      {"ah_key", "00112233445566778899aabbccddeeff00112233", "secret/esp/sa/c0ffee01.ah_key: unknown field"},
  };
  for (const auto& tc : cases) {
    json sec = record_tree(base.secret_text);
    if (tc.value.is_null())
      sec.erase(tc.field);
    else
      sec[tc.field] = tc.value;
    const auto msg = decode_error(record_tree(base.public_text), sec);
    CHECK_MESSAGE(msg.find(tc.named) != std::string::npos, tc.field, " -> ", msg);
  }
  CHECK(decode_error(record_tree(base.public_text), "x").find("secret/esp/sa/c0ffee01: expected an object") != std::string::npos);
}

TEST_CASE("sa_record: SPI helpers") {
  CHECK(esp::spi_hex(0xa001) == "0000a001");
  CHECK(esp::parse_spi("0x1234") == std::optional<std::uint32_t>(0x1234));
  CHECK(esp::parse_spi("C0FFEE01") == std::optional<std::uint32_t>(0xc0ffee01));
  CHECK_FALSE(esp::parse_spi("123456789").has_value());
  CHECK_FALSE(esp::parse_spi("12g4").has_value());
  CHECK_FALSE(esp::parse_spi("").has_value());
  CHECK(esp::sa_secret_key(0x100) == "secret/esp/sa/00000100");
}
