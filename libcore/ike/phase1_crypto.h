// The protection of one IKE SA once its keys exist: the RFC 2409 key schedule plus the
// negotiated CBC cipher, encrypting and decrypting payload chains with an IV chain
// (appendix B). Decryption never advances a chain: the caller commits the IV only after the
// message was authenticated, so a forged message cannot desynchronise the SA.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/cipher.h"
#include "crypto/dh.h"
#include "crypto/ikev1_keys.h"
#include "wire/isakmp_message.h"
#include "wire/isakmp_transform.h"

namespace ipseckit::ike {

namespace isakmp = ipseckit::wire::isakmp;

// The algorithms a phase-1 transform names, in crypto's terms; nullopt for ones we lack.
std::optional<crypto::CbcAlg> cbc_for(isakmp::IkeEncryption e, std::optional<std::uint16_t> key_length);
std::optional<crypto::HashAlg> hash_for(isakmp::IkeHash h);
std::optional<crypto::DhGroupId> dh_for(isakmp::GroupDescription g);
std::optional<crypto::Ikev1Suite> suite_for(const isakmp::IkeTransformAttrs& a);

class Phase1Crypto {
 public:
  static Result<Phase1Crypto> create(const crypto::Ikev1Suite& suite, const crypto::Phase1Inputs& in);

  crypto::Ikev1KeySchedule& keys() { return m_keys; }
  const crypto::Ikev1KeySchedule& keys() const { return m_keys; }
  std::size_t block() const { return m_cipher.block(); }

  // Encodes the chain, pads it with zeros to the block size (RFC 2408 3.1: the length covers
  // the padding) and encrypts it with chain.iv(); advances the chain.
  Result<Bytes> encrypt(std::span<const isakmp::Payload> payloads, crypto::IvChain& chain);
  // Decrypts with `iv` and decodes the chain (CBC padding allowed after it). Does not advance.
  Result<std::vector<isakmp::Payload>> decrypt(isakmp::PayloadType first, ByteView ciphertext, ByteView iv);

 private:
  Phase1Crypto(crypto::Ikev1KeySchedule keys, crypto::CbcCipher cipher)
      : m_keys(std::move(keys)), m_cipher(std::move(cipher)) {}
  crypto::Ikev1KeySchedule m_keys;
  crypto::CbcCipher m_cipher;
};

}  // namespace ipseckit::ike
