#include <doctest/doctest.h>

#include "base/bytes.h"
#include "base/strings.h"

using namespace ipseckit;

TEST_CASE("ByteReader reads big-endian fields and latches the first failure") {
  const Bytes data{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader r(data, "test header");
  CHECK(r.u8() == 0x01);
  CHECK(r.u16be() == 0x0203);
  CHECK(r.u32be() == 0x04050607);
  CHECK(r.expect_done());
  CHECK(r.u8() == 0);
  CHECK_FALSE(r.ok());
  CHECK(r.failure() == "test header: truncated at offset 7 (wanted 1, had 0)");
}

TEST_CASE("ByteReader sub, bytes_from_end and rest stay in bounds") {
  const Bytes data{1, 2, 3, 4, 5, 6};
  ByteReader r(data);
  auto icv = r.bytes_from_end(2);
  REQUIRE(icv.size() == 2);
  CHECK(icv[0] == 5);
  auto s = r.sub(3, "inner");
  CHECK(s.u24be() == 0x010203);
  CHECK(s.expect_done());
  CHECK(r.remaining() == 1);
  CHECK(r.rest().size() == 1);
  CHECK(r.expect_done());
  auto bad = r.sub(10, "too long");
  CHECK_FALSE(bad.ok());
  CHECK_FALSE(r.ok());
}

TEST_CASE("ByteWriter patches lengths and round-trips through ByteReader") {
  ByteWriter w;
  w.u16be(0);
  w.u32be(0xdeadbeef);
  w.u64be(0x0102030405060708ull);
  w.patch_u16be(0, static_cast<std::uint16_t>(w.size()));
  ByteReader r(w.data());
  CHECK(r.u16be() == 14);
  CHECK(r.u32be() == 0xdeadbeef);
  CHECK(r.u64be() == 0x0102030405060708ull);
  CHECK(r.expect_done());
  CHECK_THROWS(w.patch_u16be(13, 1));
  CHECK_THROWS(w.u24be(0x1000000));
}

TEST_CASE("hex round trip") {
  Bytes b;
  CHECK(from_hex("de:ad BE ef", b));
  CHECK(to_hex(b) == "deadbeef");
  CHECK_FALSE(from_hex("abc", b));
  CHECK_FALSE(from_hex("zz", b));
}

TEST_CASE("string helpers") {
  CHECK(str::iequals("Esp", "ESP"));
  CHECK_FALSE(str::iequals("ESP", "ES"));
  CHECK(str::parse_uint("65535", 65535) == 65535u);
  CHECK_FALSE(str::parse_uint("65536", 65535));
  CHECK_FALSE(str::parse_uint("-1"));
  CHECK_FALSE(str::parse_uint("99999999999999999999999"));
  CHECK(str::group_thousands(1234567) == "1,234,567");
  CHECK(str::group_thousands(12) == "12");
  CHECK(str::quote_if_needed("a b") == "\"a b\"");
  CHECK(str::quote_if_needed("ab") == "ab");
  CHECK(str::split("a,,b", ",").size() == 3);
  CHECK(str::split("a,,b", ",", true).size() == 2);
}
