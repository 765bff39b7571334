// ikeview's store records (tools/ikeview/records.h, esp_records.h) written as JSON text: each
// text is to_text()'s form of itself (what TxnOp::put_text requires) and carries the fields and
// values of man/ikeview.8 "STORE KEYS"; the data-plane records decode (esp/sa_record.h).
#include "ikeview/records.h"

#include <doctest/doctest.h>

#include <string>

#include "esp/sa_record.h"
#include "ikeview/esp_records.h"
#include "store/protocol.h"

using namespace ipseckit;
using ikeview::Json;
namespace isakmp = ike::isakmp;

namespace {

Json canonical(const std::string& text) {
  Json j = Json::parse(text);
  CHECK(store::to_text(j) == text);
  return j;
}

std::string repeat(const char* s, int n) {
  std::string r;
  while (n-- > 0) r += s;
  return r;
}

wire::IpAddr ip(const char* s) {
  return *wire::IpAddr::parse(s);
}

ike::Phase1Info phase1() {
  ike::Phase1Info i;
  i.id = 3;
  i.cky_i = {1, 2, 3, 4, 5, 6, 7, 8};
  i.cky_r = {0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x10, 0x11};
  i.local = {ip("198.51.100.1"), 500};
  i.remote = {ip("198.51.100.2"), 4500};
  i.initiator = true;
  i.rule = "gw \"out\"";  // needs escaping
  i.encryption = isakmp::IkeEncryption::aes_cbc;
  i.key_length = 256;
  i.hash = isakmp::IkeHash::sha2_256;
  i.group = isakmp::GroupDescription::modp2048;
  i.local_id = "198.51.100.1";
  i.peer_id = std::string("CN=p\xc3\xa9\xff\x01");  // from the peer: UTF-8, invalid UTF-8, control
  i.life_seconds = 28800;
  i.nat_remote = true;
  i.encryption_key = SecureBytes(std::string_view("\x00\x01\xfe\xff", 4));
  return i;
}

ike::ChildProto proto(isakmp::ProtocolId p, std::uint32_t in, std::uint32_t out) {
  ike::ChildProto c;
  c.protocol = p;
  c.spi_in = in;
  c.spi_out = out;
  if (p == isakmp::ProtocolId::esp) {
    c.transform = static_cast<std::uint8_t>(isakmp::EspTransformId::aes_cbc);
    c.key_length = 128;
    c.enc_in = SecureBytes(std::string(16, 'a'));
    c.enc_out = SecureBytes(std::string(16, 'b'));
  } else {
    c.transform = 3;  // AH_SHA (RFC 2407 4.4.3)
  }
  c.auth = isakmp::AuthAlgorithm::hmac_sha1;
  c.integ_in = SecureBytes(std::string(20, 'c'));
  c.integ_out = SecureBytes(std::string(20, 'd'));
  return c;
}

ike::Phase2Info phase2() {
  ike::Phase2Info i;
  i.id = 7;
  i.phase1_id = 3;
  i.local = {ip("198.51.100.1"), 4500};
  i.remote = {ip("198.51.100.2"), 4500};
  i.rule = "gw-out";
  i.tunnel = true;
  i.udp_encap = true;
  i.local_ts = {*wire::IpPrefix::parse("192.0.2.0/24"), 0, 0};
  i.remote_ts = {*wire::IpPrefix::parse("203.0.113.0/24"), 6, 443};
  i.pfs_group = isakmp::GroupDescription::modp2048;
  i.life_seconds = 3600;
  i.life_kilobytes = 100;
  i.protos.push_back(proto(isakmp::ProtocolId::ah, 0x1000, 0x2000));
  i.protos.push_back(proto(isakmp::ProtocolId::esp, 0xc0ffee01, 0x0ae6a6f6));
  return i;
}

}  // namespace

TEST_CASE("ikeview records: phase-1 record and secret") {
  const auto i = phase1();
  const Json mm = canonical(ikeview::mm_record(i, "established", 1795766400));
  const Json want = {{"phase", "main"},
                     {"exchange", "main"},
                     {"id", 3},
                     {"cky_i", "0102030405060708"},
                     {"cky_r", "0a0b0c0d0e0f1011"},
                     {"peer", "198.51.100.2"},
                     {"peer_port", 4500},
                     {"local", "198.51.100.1"},
                     {"local_port", 500},
                     {"initiator", true},
                     {"rule", "gw \"out\""},
                     {"state", "established"},
                     {"encryption", "aes-256-cbc"},
                     {"integrity", "sha256"},
                     {"dh_group", 14},
                     {"auth", "psk"},
                     {"local_id", "198.51.100.1"},
                     {"peer_id", "CN=p\xc3\xa9\xef\xbf\xbd\x01"},  // the invalid byte as U+FFFD
                     {"mode", nullptr},
                     {"encap", true},
                     {"created", 1795766400},
                     {"expires", 1795766400 + 28800},
                     {"describe", i.describe()}};
  CHECK(mm == want);
  auto am = phase1();
  am.aggressive = true;
  am.nat_remote = false;
  const Json a = canonical(ikeview::mm_record(am, "established", 5));
  CHECK(a["exchange"] == "aggressive");
  CHECK(a["encap"] == false);
  CHECK(canonical(ikeview::mm_secret(i)) == Json{{"cky_i", "0102030405060708"},
                                                 {"cky_r", "0a0b0c0d0e0f1011"},
                                                 {"encryption", "aes-256-cbc"},
                                                 {"encryption_key", "0001feff"}});
}

TEST_CASE("ikeview records: phase-2 record of an AH+ESP bundle; headline values from ESP") {
  const auto i = phase2();
  const Json qm = canonical(ikeview::qm_record(i, "established", 100));
  const Json ah = {{"protocol", "ah"},
                   {"spi_in", "00001000"},
                   {"spi_out", "00002000"},
                   {"encryption", nullptr},
                   {"integrity", "sha1"}};
  const Json esp = {{"protocol", "esp"},
                    {"spi_in", "c0ffee01"},
                    {"spi_out", "0ae6a6f6"},
                    {"encryption", "aes-128-cbc"},
                    {"integrity", "sha1"}};
  const Json want = {{"phase", "quick"},
                     {"id", 7},
                     {"phase1_id", 3},
                     {"peer", "198.51.100.2"},
                     {"local", "198.51.100.1"},
                     {"initiator", false},
                     {"rule", "gw-out"},
                     {"state", "established"},
                     {"mode", "tunnel"},
                     {"encap", true},
                     {"local_ts", i.local_ts.str()},
                     {"remote_ts", i.remote_ts.str()},
                     {"dh_group", 14},
                     {"auth", nullptr},
                     {"created", 100},
                     {"expires", 3700},
                     {"describe", i.describe()},
                     {"spi_in", "c0ffee01"},
                     {"spi_out", "0ae6a6f6"},
                     {"encryption", "aes-128-cbc"},
                     {"integrity", "sha1"},
                     {"protocols", Json::array({ah, esp})}};
  CHECK(qm == want);
  CHECK(ikeview::qm_key(i) == "ike/qm/00001000");
  // AH alone, transport, no PFS: headline from the AH protocol; no protocol at all: nulls.
  auto t = phase2();
  t.protos.erase(t.protos.begin() + 1);
  t.tunnel = false;
  t.pfs_group.reset();
  const Json a = canonical(ikeview::qm_record(t, "established", 1));
  CHECK(a["mode"] == "transport");
  CHECK(a["dh_group"].is_null());
  CHECK(a["encryption"].is_null());
  CHECK(a["spi_in"] == "00001000");
  t.protos.clear();
  const Json none = canonical(ikeview::qm_record(t, "established", 1));
  CHECK(none["protocols"] == Json::array());
  CHECK(none["spi_in"].is_null());
  CHECK(none["integrity"].is_null());
}

TEST_CASE("ikeview records: the data-plane records of both directions") {
  const auto i = phase2();
  auto sas = ikeview::esp_records(i, 42);
  REQUIRE_MESSAGE(sas.ok(), sas.error().message);
  REQUIRE(sas->size() == 2);
  const auto& in = (*sas)[0];
  const auto& out = (*sas)[1];
  CHECK(in.public_key == "esp/sa/c0ffee01");
  CHECK(out.public_key == "esp/sa/0ae6a6f6");
  const Json pub_in = canonical(in.public_text), sec_in = canonical(in.secret_text);
  CHECK(pub_in["direction"] == "in");
  CHECK(pub_in["origin"] == "ike");
  CHECK(pub_in["esp"] == Json{{"spi", "c0ffee01"}, {"cipher", "aes-128-cbc"}, {"integrity", "sha1"}});
  CHECK(pub_in["ah"] == Json{{"spi", "00001000"}, {"integrity", "sha1"}});
  CHECK(pub_in["udp_encap"] == Json{{"local_port", 4500}, {"remote_port", 4500}});
  CHECK(pub_in["replay_window"] == 64);
  CHECK(pub_in["lifetime"]["hard_bytes"] == 102400);
  CHECK(pub_in["selectors"] == Json{{"local", "192.0.2.0/24"},
                                    {"remote", "203.0.113.0/24"},
                                    {"protocol", 6},
                                    {"local_port", 0},
                                    {"remote_port", 443}});
  CHECK(pub_in["created"] == 42);
  // Inbound keys: ESP encryption 'a' x16, integrity 'c' x20; AH 'c' x20 (proto() above).
  CHECK(sec_in ==
        Json{{"encryption_key", repeat("61", 16)}, {"integrity_key", repeat("63", 20)}, {"ah_key", repeat("63", 20)}});
  CHECK(canonical(out.secret_text)["encryption_key"] == repeat("62", 16));
  auto d = esp::decode_sa(pub_in, sec_in, in.public_key);
  REQUIRE_MESSAGE(d.ok(), d.error().message);
  CHECK(d->config.replay_window == 64);
  const Json pub_out = canonical(out.public_text), sec_out = canonical(out.secret_text);
  CHECK(pub_out["direction"] == "out");
  CHECK(pub_out["replay_window"] == 0);
  CHECK(esp::decode_sa(pub_out, sec_out, out.public_key).ok());
}
