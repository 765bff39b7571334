// The IKEv1 key schedule of RFC 2409, as one non-copyable object that follows the RFC's
// steps in order:
//   5     SKEYID  (pre-shared key: prf(pre-shared-key, Ni_b | Nr_b);
//                  signatures:     prf(Ni_b | Nr_b, g^xy))
//   5     SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
//         SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
//         SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
//   App B Ka = SKEYID_e, or K1 | K2 | ... with K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1)
//         when SKEYID_e is shorter than the cipher's key
//   App B phase-1 IV = hash(g^xi | g^xr); then the last CBC block of each message
//   5     HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
//         HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
//   App B phase-2 IV = hash(last phase-1 CBC block | M-ID), then chained per exchange
//   5.5   HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [ | KE ] [ | IDci | IDcr ])
//         HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [ | KE ] [ | IDci | IDcr ])
//         HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
//   5.7   informational HASH(1) = prf(SKEYID_a, M-ID | N/D)
//   5.5   KEYMAT = K1 | K2 | ..., K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
//         Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
// "_b" means a payload's body without its generic header. Secrets live in SecureBytes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secure_bytes.h"
#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "crypto/prf.h"

namespace ipseckit::crypto {

inline ByteView view(const SecureBytes& s) { return {s.data(), s.size()}; }

struct Ikev1Suite {
  HashAlg hash = HashAlg::sha1;      // the negotiated Hash Algorithm (IV derivation)
  PrfAlg prf = PrfAlg::hmac_sha1;    // its HMAC unless a PRF attribute said otherwise
  CbcAlg cipher = CbcAlg::des3;      // key and block sizes
  static Ikev1Suite for_hash(HashAlg h, CbcAlg c) { return {h, prf_for(h), c}; }
};

enum class Ikev1Auth : std::uint8_t {
  psk,        // RFC 2409 5.4
  signature,  // RFC 2409 5.1 (DSS/RSA signatures; GSS-API uses the same SKEYID)
};

struct Phase1Inputs {
  Ikev1Auth auth = Ikev1Auth::psk;
  ByteView psk;          // pre-shared key only
  ByteView ni_b, nr_b;   // NONCE payload bodies
  ByteView g_xi, g_xr;   // KE payload bodies of initiator and responder
  ByteView g_xy;         // the DH shared secret (padded, see dh.h)
  ByteView cky_i, cky_r; // 8 bytes each
};

// CBC IV chaining (RFC 2409 appendix B): each message's IV is the last ciphertext block of
// the previous message of the same exchange.
class IvChain {
 public:
  IvChain() = default;
  explicit IvChain(Bytes iv) : m_iv(std::move(iv)) {}
  const Bytes& iv() const { return m_iv; }
  // After sending or accepting an encrypted message; ignores a ciphertext shorter than a block.
  void advance(ByteView ciphertext);

 private:
  Bytes m_iv;
};

class Ikev1KeySchedule {
 public:
  // Fails (code "crypto") when a PSK is required but empty, or an input has a wrong size.
  static Result<Ikev1KeySchedule> derive(const Ikev1Suite& suite, const Phase1Inputs& in);

  Ikev1KeySchedule(Ikev1KeySchedule&&) noexcept = default;
  Ikev1KeySchedule& operator=(Ikev1KeySchedule&&) noexcept = default;
  Ikev1KeySchedule(const Ikev1KeySchedule&) = delete;
  Ikev1KeySchedule& operator=(const Ikev1KeySchedule&) = delete;

  const Ikev1Suite& suite() const { return m_suite; }
  const SecureBytes& skeyid() const { return m_skeyid; }
  const SecureBytes& skeyid_d() const { return m_skeyid_d; }
  const SecureBytes& skeyid_a() const { return m_skeyid_a; }
  const SecureBytes& skeyid_e() const { return m_skeyid_e; }
  const SecureBytes& encryption_key() const { return m_ka; }  // Ka, key_size(cipher) bytes

  // Phase-1 IV chain: starts at hash(g^xi | g^xr) truncated to the cipher's block.
  IvChain& phase1_iv() { return m_phase1_iv; }
  const IvChain& phase1_iv() const { return m_phase1_iv; }
  // A new chain for a phase-2 or informational exchange with this message id.
  IvChain phase2_iv(std::uint32_t message_id) const;

  Bytes hash_i(ByteView sai_b, ByteView idii_b) const;
  Bytes hash_r(ByteView sai_b, ByteView idir_b) const;

  // `after_hash` is the message from the payload following HASH to the end, without padding.
  Bytes qm_hash1(std::uint32_t message_id, ByteView after_hash) const;
  Bytes qm_hash2(std::uint32_t message_id, ByteView ni_b, ByteView after_hash) const;
  Bytes qm_hash3(std::uint32_t message_id, ByteView ni_b, ByteView nr_b) const;
  Bytes informational_hash(std::uint32_t message_id, ByteView after_hash) const;

  // KEYMAT for one SA direction (the SPI the receiving side chose); g_qm_xy empty without PFS.
  SecureBytes keymat(std::size_t length, std::uint8_t protocol, ByteView spi, ByteView ni_b, ByteView nr_b,
                     ByteView g_qm_xy = {}) const;

 private:
  Ikev1KeySchedule() = default;
  Bytes prf_public(ByteView key, std::initializer_list<ByteView> parts) const;

  Ikev1Suite m_suite;
  SecureBytes m_skeyid, m_skeyid_d, m_skeyid_a, m_skeyid_e, m_ka;
  Bytes m_g_xi, m_g_xr, m_cky_i, m_cky_r;
  IvChain m_phase1_iv;
};

}  // namespace ipseckit::crypto
