#include "ike/phase1_crypto.h"

#include "wire/isakmp_error.h"

namespace ipseckit::ike {

using isakmp::GroupDescription;
using isakmp::IkeEncryption;
using isakmp::IkeHash;

std::optional<crypto::CbcAlg> cbc_for(IkeEncryption e, std::optional<std::uint16_t> key_length) {
  switch (e) {
    case IkeEncryption::des_cbc: return crypto::CbcAlg::des;
    case IkeEncryption::des3_cbc: return crypto::CbcAlg::des3;
    case IkeEncryption::aes_cbc:
      // RFC 3602 5.3 via RFC 2409 appendix A: AES needs a key length (128 if absent, as
      // strongSwan and Windows assume).
      switch (key_length.value_or(128)) {
        case 128: return crypto::CbcAlg::aes128;
        case 192: return crypto::CbcAlg::aes192;
        case 256: return crypto::CbcAlg::aes256;
        default: return std::nullopt;
      }
    default: return std::nullopt;
  }
}

std::optional<crypto::HashAlg> hash_for(IkeHash h) {
  switch (h) {
    case IkeHash::md5: return crypto::HashAlg::md5;
    case IkeHash::sha1: return crypto::HashAlg::sha1;
    case IkeHash::sha2_256: return crypto::HashAlg::sha256;
    case IkeHash::sha2_384: return crypto::HashAlg::sha384;
    case IkeHash::sha2_512: return crypto::HashAlg::sha512;
    default: return std::nullopt;
  }
}

std::optional<crypto::DhGroupId> dh_for(GroupDescription g) {
  return crypto::dh_group_from_number(isakmp::raw(g));
}

std::optional<crypto::Ikev1Suite> suite_for(const isakmp::IkeTransformAttrs& a) {
  if (!a.encryption || !a.hash) return std::nullopt;
  const auto c = cbc_for(*a.encryption, a.key_length);
  const auto h = hash_for(*a.hash);
  if (!c || !h) return std::nullopt;
  return crypto::Ikev1Suite::for_hash(*h, *c);
}

Result<Phase1Crypto> Phase1Crypto::create(const crypto::Ikev1Suite& suite, const crypto::Phase1Inputs& in) {
  auto ks = crypto::Ikev1KeySchedule::derive(suite, in);
  if (!ks) return std::move(ks).error();
  auto cipher = crypto::CbcCipher::create(suite.cipher, crypto::view(ks->encryption_key()));
  if (!cipher) return std::move(cipher).error();
  return Phase1Crypto(std::move(*ks), std::move(*cipher));
}

Result<Bytes> Phase1Crypto::encrypt(std::span<const isakmp::Payload> payloads, crypto::IvChain& chain) {
  auto plain = isakmp::encode_payloads(payloads);
  if (!plain) return std::move(plain).error();
  const std::size_t bs = block();
  plain->resize((plain->size() + bs - 1) / bs * bs, 0);
  if (plain->empty()) plain->resize(bs, 0);
  Bytes out(plain->size());
  if (!m_cipher.encrypt(chain.iv(), *plain, out.data()))
    return Error::make("crypto", "IKE encryption failed");
  chain.advance(out);
  return out;
}

Result<std::vector<isakmp::Payload>> Phase1Crypto::decrypt(isakmp::PayloadType first, ByteView ciphertext,
                                                           ByteView iv) {
  if (ciphertext.empty() || ciphertext.size() % block() != 0)
    return isakmp::malformed("ciphertext is not a whole number of cipher blocks");
  Bytes plain(ciphertext.size());
  if (!m_cipher.decrypt(iv, ciphertext, plain.data())) return isakmp::malformed("decryption failed");
  return isakmp::decode_payloads(first, plain, isakmp::Trailing::allow);
}

}  // namespace ipseckit::ike
