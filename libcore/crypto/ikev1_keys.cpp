// RFC 2409 section 5 and appendix B, step by step; see ikev1_keys.h.
#include "crypto/ikev1_keys.h"

#include <string.h>  // explicit_bzero

#include <fmt/format.h>

namespace ipseckit::crypto {
namespace {

Error input_error(std::string m) { return Error::make("crypto", std::move(m)); }

// Appendix B "Encryption Key Derivation": K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1).
SecureBytes expand_ka(PrfAlg prf, const SecureBytes& skeyid_e, std::size_t need) {
  if (skeyid_e.size() >= need) return SecureBytes(Bytes(skeyid_e.data(), skeyid_e.data() + need));
  Prf p(prf, view(skeyid_e));
  Bytes out;
  out.reserve(need + p.size());
  SecureBytes k = p.update(std::uint8_t{0}).final();
  out.insert(out.end(), k.data(), k.data() + k.size());
  while (out.size() < need) {
    k = p.update(view(k)).final();
    out.insert(out.end(), k.data(), k.data() + k.size());
  }
  explicit_bzero(out.data() + need, out.size() - need);  // the unused tail of the last block
  out.resize(need);
  return SecureBytes(std::move(out));
}

}  // namespace

void IvChain::advance(ByteView ciphertext) {
  const std::size_t bs = m_iv.size();
  if (bs == 0 || ciphertext.size() < bs) return;
  const ByteView last = ciphertext.subspan(ciphertext.size() - bs);
  m_iv.assign(last.begin(), last.end());
}

Result<Ikev1KeySchedule> Ikev1KeySchedule::derive(const Ikev1Suite& suite, const Phase1Inputs& in) {
  if (in.cky_i.size() != 8 || in.cky_r.size() != 8) return input_error("IKEv1 cookies must have 8 bytes");
  if (in.g_xy.empty() || in.g_xi.empty() || in.g_xr.empty()) return input_error("IKEv1 key schedule without DH values");
  if (in.ni_b.empty() || in.nr_b.empty()) return input_error("IKEv1 key schedule without nonces");
  Ikev1KeySchedule ks;
  ks.m_suite = suite;
  // RFC 2409 5: SKEYID by authentication method.
  if (in.auth == Ikev1Auth::psk) {
    if (in.psk.empty()) return input_error("pre-shared key authentication with an empty key");
    ks.m_skeyid = Prf(suite.prf, in.psk).update(in.ni_b).update(in.nr_b).final();
  } else {
    Bytes nonces(in.ni_b.begin(), in.ni_b.end());
    nonces.insert(nonces.end(), in.nr_b.begin(), in.nr_b.end());
    ks.m_skeyid = Prf(suite.prf, nonces).update(in.g_xy).final();
  }
  // RFC 2409 5: SKEYID_d, SKEYID_a, SKEYID_e.
  Prf p(suite.prf, view(ks.m_skeyid));
  ks.m_skeyid_d = p.update(in.g_xy).update(in.cky_i).update(in.cky_r).update(std::uint8_t{0}).final();
  ks.m_skeyid_a =
      p.update(view(ks.m_skeyid_d)).update(in.g_xy).update(in.cky_i).update(in.cky_r).update(std::uint8_t{1}).final();
  ks.m_skeyid_e =
      p.update(view(ks.m_skeyid_a)).update(in.g_xy).update(in.cky_i).update(in.cky_r).update(std::uint8_t{2}).final();
  // Appendix B: the encryption key, expanded when SKEYID_e is short (e.g. 3DES with SHA-1).
  ks.m_ka = expand_ka(suite.prf, ks.m_skeyid_e, key_size(suite.cipher));
  // Appendix B: IV = hash(g^xi | g^xr), truncated to the block size.
  Bytes iv_in(in.g_xi.begin(), in.g_xi.end());
  iv_in.insert(iv_in.end(), in.g_xr.begin(), in.g_xr.end());
  Bytes iv = digest(suite.hash, iv_in);
  iv.resize(block_size(suite.cipher));
  ks.m_phase1_iv = IvChain(std::move(iv));
  ks.m_g_xi.assign(in.g_xi.begin(), in.g_xi.end());
  ks.m_g_xr.assign(in.g_xr.begin(), in.g_xr.end());
  ks.m_cky_i.assign(in.cky_i.begin(), in.cky_i.end());
  ks.m_cky_r.assign(in.cky_r.begin(), in.cky_r.end());
  return ks;
}

IvChain Ikev1KeySchedule::phase2_iv(std::uint32_t message_id) const {
  // Appendix B: hash(last phase 1 CBC output block | M-ID), M-ID in network order.
  Bytes in = m_phase1_iv.iv();
  for (int s = 24; s >= 0; s -= 8) in.push_back(static_cast<std::uint8_t>(message_id >> s));
  Bytes iv = digest(m_suite.hash, in);
  iv.resize(block_size(m_suite.cipher));
  return IvChain(std::move(iv));
}

Bytes Ikev1KeySchedule::prf_public(ByteView key, std::initializer_list<ByteView> parts) const {
  Prf p(m_suite.prf, key);
  for (const ByteView part : parts) p.update(part);
  const SecureBytes out = p.final();
  return Bytes(out.data(), out.data() + out.size());
}

Bytes Ikev1KeySchedule::hash_i(ByteView sai_b, ByteView idii_b) const {
  return prf_public(view(m_skeyid), {m_g_xi, m_g_xr, m_cky_i, m_cky_r, sai_b, idii_b});
}

Bytes Ikev1KeySchedule::hash_r(ByteView sai_b, ByteView idir_b) const {
  return prf_public(view(m_skeyid), {m_g_xr, m_g_xi, m_cky_r, m_cky_i, sai_b, idir_b});
}

}  // namespace ipseckit::crypto
