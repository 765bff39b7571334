// Known-answer tests of the primitives PPP authentication stands on: MD4 (RFC 1320), MD5
// (RFC 1321), CHAP-MD5 (RFC 1994), MS-CHAPv2 (RFC 2759 §9.2) and MPPE keys (RFC 3079 §3.5).
#include <doctest/doctest.h>

#include <algorithm>

#include "base/bytes.h"
#include "crypto/hash.h"
#include "crypto/md4.h"
#include "crypto/mschap.h"
#include "unit/ppp/vector_file.h"

using namespace ipseckit;
using namespace ipseckit::crypto;
using ipseckit::testing::read_vectors;

namespace {

ByteView text_view(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};  // NOLINT: test text as octets
}

template <std::size_t N>
std::array<std::uint8_t, N> arr(const Bytes& b) {
  REQUIRE(b.size() == N);
  std::array<std::uint8_t, N> a{};
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}

}  // namespace

TEST_CASE("MD4: RFC 1320 A.5, both the built-in algorithm and md4()") {
  for (const auto& v : read_vectors("md4.vec")) {
    v.only({"msg", "digest"});
    const std::string msg = v.text("msg");
    CAPTURE(v.where());
    CHECK(to_hex(md4_rfc1320(text_view(msg))) == to_hex(v.hex("digest")));
    CHECK(to_hex(md4(text_view(msg))) == to_hex(v.hex("digest")));
  }
  // Lengths around the padding boundaries (55, 56, 63, 64, 65 bytes) agree between the two.
  for (std::size_t n : {55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u, 128u, 1000u}) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 3);
    CHECK(md4_rfc1320(b) == md4(b));
  }
  INFO("md4() served by OpenSSL's legacy provider: " << md4_uses_openssl());
}

TEST_CASE("MD5: RFC 1321 A.5") {
  for (const auto& v : read_vectors("md5.vec")) {
    v.only({"msg", "digest"});
    CAPTURE(v.where());
    CHECK(to_hex(digest(HashAlg::md5, text_view(v.text("msg")))) == to_hex(v.hex("digest")));
  }
}

TEST_CASE("MS-CHAPv2: RFC 2759 §9.2 sample data, every intermediate value") {
  for (const auto& v : read_vectors("mschapv2.vec")) {
    v.only({"user", "password", "authenticator_challenge", "peer_challenge", "challenge", "unicode_password",
            "password_hash", "nt_response", "password_hash_hash", "authenticator_response"});
    CAPTURE(v.where());
    const std::string user = v.text("user");
    const std::string password = v.text("password");
    const auto auth_ch = arr<16>(v.hex("authenticator_challenge"));
    const auto peer_ch = arr<16>(v.hex("peer_challenge"));
    CHECK(mschap::utf16le(text_view(password)) == v.hex("unicode_password"));
    const auto ph = mschap::nt_password_hash(text_view(password));
    CHECK(to_hex(ph) == to_hex(v.hex("password_hash")));
    CHECK(to_hex(mschap::hash_nt_password_hash(ph)) == to_hex(v.hex("password_hash_hash")));
    CHECK(to_hex(mschap::challenge_hash(peer_ch, auth_ch, user)) == to_hex(v.hex("challenge")));
    auto nt = mschap::generate_nt_response(auth_ch, peer_ch, user, text_view(password));
    REQUIRE_MESSAGE(nt.ok(), nt.error().message);
    CHECK(to_hex(*nt) == to_hex(v.hex("nt_response")));
    const std::string ar = mschap::generate_authenticator_response(ph, *nt, peer_ch, auth_ch, user);
    CHECK(ar == v.text("authenticator_response"));
    CHECK(mschap::check_authenticator_response(ph, *nt, peer_ch, auth_ch, user, v.text("authenticator_response")));
    // lower-case hex is accepted, a changed digit is not
    std::string lower = v.text("authenticator_response");
    std::transform(lower.begin() + 2, lower.end(), lower.begin() + 2, [](char c) { return static_cast<char>(std::tolower(c)); });
    CHECK(mschap::check_authenticator_response(ph, *nt, peer_ch, auth_ch, user, lower));
    std::string bad = v.text("authenticator_response");
    bad.back() = bad.back() == '6' ? '7' : '6';
    CHECK_FALSE(mschap::check_authenticator_response(ph, *nt, peer_ch, auth_ch, user, bad));
    // §8.2: a domain prefix is not hashed
    CHECK(mschap::challenge_hash(peer_ch, auth_ch, "WORKGROUP\\" + user) == mschap::challenge_hash(peer_ch, auth_ch, user));
    // the wrong password gives another response
    auto wrong = mschap::generate_nt_response(auth_ch, peer_ch, user, text_view(std::string("clientPasS")));
    REQUIRE(wrong.ok());
    CHECK(*wrong != *nt);
  }
}

TEST_CASE("MPPE: RFC 3079 §3.5 master key and 128-bit start keys") {
  for (const auto& v : read_vectors("mppe.vec")) {
    v.only({"password_hash_hash", "nt_response", "master_key", "send_start_key_128"});
    CAPTURE(v.where());
    const auto master = mschap::mppe_master_key(arr<16>(v.hex("password_hash_hash")), arr<24>(v.hex("nt_response")));
    CHECK(to_hex(master) == to_hex(v.hex("master_key")));
    const Bytes server_send = mschap::mppe_asymmetric_start_key(master, 16, true, true);
    CHECK(to_hex(server_send) == to_hex(v.hex("send_start_key_128")));
    // the two ends agree: the server's send key is the client's receive key and vice versa
    CHECK(mschap::mppe_asymmetric_start_key(master, 16, false, false) == server_send);
    CHECK(mschap::mppe_asymmetric_start_key(master, 16, true, false) ==
          mschap::mppe_asymmetric_start_key(master, 16, false, true));
    CHECK(mschap::mppe_asymmetric_start_key(master, 16, true, false) != server_send);
    CHECK(mschap::mppe_asymmetric_start_key(master, 8, true, true) == Bytes(server_send.begin(), server_send.begin() + 8));
  }
}

TEST_CASE("CHAP-MD5: RFC 1994 §4.1 responses") {
  for (const auto& v : read_vectors("chap_md5.vec")) {
    v.only({"id", "secret", "challenge", "response"});
    CAPTURE(v.where());
    Bytes in = v.hex("id");
    REQUIRE(in.size() == 1);
    const std::string secret = v.text("secret");
    in.insert(in.end(), secret.begin(), secret.end());
    const Bytes ch = v.hex("challenge");
    in.insert(in.end(), ch.begin(), ch.end());
    CHECK(to_hex(digest(HashAlg::md5, in)) == to_hex(v.hex("response")));
  }
}

TEST_CASE("UTF-16LE of non-ASCII and invalid UTF-8 passwords") {
  CHECK(to_hex(mschap::utf16le(text_view("\xC3\xA9"))) == "e900");              // é
  CHECK(to_hex(mschap::utf16le(text_view("\xE2\x82\xAC"))) == "ac20");          // €
  CHECK(to_hex(mschap::utf16le(text_view("\xF0\x9F\x98\x80"))) == "3dd800de");  // U+1F600 as a surrogate pair
  CHECK(to_hex(mschap::utf16le(text_view("\xE9x"))) == "e9007800");             // Latin-1 fallback
  CHECK(to_hex(mschap::utf16le(text_view("\xC3"))) == "c300");                   // cut sequence
}
