#include "crypto/mschap.h"

#include <algorithm>

#include "base/strings.h"
#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "crypto/md4.h"
#include "crypto/random.h"

namespace ipseckit::crypto::mschap {
namespace {

// RFC 2759 §8.7 constants.
constexpr std::string_view kMagic1 = "Magic server to client signing constant";
constexpr std::string_view kMagic2 = "Pad to make it do more than one iteration";
// RFC 3079 §3.4 constants.
constexpr std::string_view kMasterMagic = "This is the MPPE Master Key";
constexpr std::string_view kSendClientMagic =
    "On the client side, this is the send key; on the server side, it is the receive key.";
constexpr std::string_view kReceiveClientMagic =
    "On the client side, this is the receive key; on the server side, it is the send key.";

ByteView view(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};  // NOLINT: text as octets
}

Bytes cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes sha1(std::initializer_list<ByteView> parts) { return digest(HashAlg::sha1, cat(parts)); }

// §8.6 DesEncrypt's key: 56 bits spread over 8 octets, one parity position (ignored by DES)
// at the bottom of each.
std::array<std::uint8_t, 8> expand_des_key(const std::uint8_t* k7) {
  std::array<std::uint8_t, 8> k{};
  k[0] = k7[0];
  for (std::size_t i = 1; i < 7; ++i)
    k[i] = static_cast<std::uint8_t>((k7[i - 1] << (8 - i)) | (k7[i] >> i));
  k[7] = static_cast<std::uint8_t>(k7[6] << 1);
  for (auto& b : k) b &= 0xFE;
  return k;
}

std::string hex_upper(ByteView v) { return str::to_upper(to_hex(v)); }

}  // namespace

std::string_view strip_domain(std::string_view user_name) {
  const std::size_t bs = user_name.rfind('\\');
  return bs == std::string_view::npos ? user_name : user_name.substr(bs + 1);
}

Bytes utf16le(ByteView s) {
  Bytes out;
  out.reserve(s.size() * 2);
  auto put = [&](std::uint32_t u) {
    out.push_back(static_cast<std::uint8_t>(u));
    out.push_back(static_cast<std::uint8_t>(u >> 8));
  };
  for (std::size_t i = 0; i < s.size();) {
    const std::uint8_t c = s[i];
    std::size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 9;
    std::uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1Fu) : n == 2 ? (c & 0x0Fu) : (c & 0x07u);
    bool ok = n < 4 && i + n < s.size();
    for (std::size_t k = 1; ok && k <= n; ++k) {
      ok = (s[i + k] & 0xC0) == 0x80;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if (!ok) {
      put(c);  // not UTF-8: Latin-1
      ++i;
      continue;
    }
    if (cp >= 0x10000) {  // surrogate pair
      cp -= 0x10000;
      put(0xD800 + (cp >> 10));
      put(0xDC00 + (cp & 0x3FF));
    } else {
      put(cp);
    }
    i += n + 1;
  }
  return out;
}

Block16 nt_password_hash(ByteView password_utf8) { return md4(utf16le(password_utf8)); }

Block16 hash_nt_password_hash(const Block16& password_hash) { return md4(password_hash); }

Block8 challenge_hash(const Block16& peer_challenge, const Block16& authenticator_challenge,
                      std::string_view user_name) {
  const Bytes d = sha1({peer_challenge, authenticator_challenge, view(strip_domain(user_name))});
  Block8 out{};
  std::copy_n(d.begin(), out.size(), out.begin());
  return out;
}

Result<Block24> challenge_response(const Block8& challenge, const Block16& password_hash) {
  std::array<std::uint8_t, 21> z{};
  std::copy(password_hash.begin(), password_hash.end(), z.begin());
  Block24 out{};
  const std::array<std::uint8_t, 8> zero_iv{};
  for (std::size_t i = 0; i < 3; ++i) {
    // One DES block under CBC with a zero IV is DES-ECB.
    auto des = CbcCipher::create(CbcAlg::des, expand_des_key(z.data() + 7 * i));
    if (!des) return des.error();
    if (!des->encrypt(zero_iv, challenge, out.data() + 8 * i))
      return Error::make("crypto", "MS-CHAPv2: DES encryption failed");
  }
  return out;
}

Result<Block24> generate_nt_response_from_hash(const Block16& authenticator_challenge, const Block16& peer_challenge,
                                               std::string_view user_name, const Block16& password_hash) {
  return challenge_response(challenge_hash(peer_challenge, authenticator_challenge, user_name), password_hash);
}

Result<Block24> generate_nt_response(const Block16& authenticator_challenge, const Block16& peer_challenge,
                                     std::string_view user_name, ByteView password_utf8) {
  return generate_nt_response_from_hash(authenticator_challenge, peer_challenge, user_name,
                                        nt_password_hash(password_utf8));
}

std::string generate_authenticator_response(const Block16& password_hash, const Block24& nt_response,
                                            const Block16& peer_challenge, const Block16& authenticator_challenge,
                                            std::string_view user_name) {
  const Block16 hash_hash = hash_nt_password_hash(password_hash);
  const Bytes d1 = sha1({hash_hash, nt_response, view(kMagic1)});
  const Block8 ch = challenge_hash(peer_challenge, authenticator_challenge, user_name);
  const Bytes d2 = sha1({d1, ch, view(kMagic2)});
  return "S=" + hex_upper(d2);
}

bool check_authenticator_response(const Block16& password_hash, const Block24& nt_response,
                                  const Block16& peer_challenge, const Block16& authenticator_challenge,
                                  std::string_view user_name, std::string_view received) {
  const std::string want =
      generate_authenticator_response(password_hash, nt_response, peer_challenge, authenticator_challenge, user_name);
  const std::string got = str::to_upper(received);
  return got.size() == want.size() && equal_ct(view(got), view(want));
}

Block16 mppe_master_key(const Block16& password_hash_hash, const Block24& nt_response) {
  const Bytes d = sha1({password_hash_hash, nt_response, view(kMasterMagic)});
  Block16 out{};
  std::copy_n(d.begin(), out.size(), out.begin());
  return out;
}

Bytes mppe_asymmetric_start_key(const Block16& master_key, std::size_t key_length, bool is_send, bool is_server) {
  const std::string_view magic = is_send == is_server ? kReceiveClientMagic : kSendClientMagic;
  const std::array<std::uint8_t, 40> pad1{};
  std::array<std::uint8_t, 40> pad2{};
  pad2.fill(0xF2);
  const Bytes d = sha1({master_key, pad1, view(magic), pad2});
  return Bytes(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(key_length, d.size())));
}

}  // namespace ipseckit::crypto::mschap
