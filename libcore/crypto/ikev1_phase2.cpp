// RFC 2409 5.5 (Quick Mode hashes, KEYMAT) and 5.7 (informational HASH(1)); see ikev1_keys.h.
#include "crypto/ikev1_keys.h"

#include <string.h>  // explicit_bzero

namespace ipseckit::crypto {
namespace {

Bytes u32be(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v)};
}

}  // namespace

Bytes Ikev1KeySchedule::qm_hash1(std::uint32_t message_id, ByteView after_hash) const {
  return prf_public(view(m_skeyid_a), {u32be(message_id), after_hash});
}

Bytes Ikev1KeySchedule::qm_hash2(std::uint32_t message_id, ByteView ni_b, ByteView after_hash) const {
  return prf_public(view(m_skeyid_a), {u32be(message_id), ni_b, after_hash});
}

Bytes Ikev1KeySchedule::qm_hash3(std::uint32_t message_id, ByteView ni_b, ByteView nr_b) const {
  const std::uint8_t zero = 0;
  return prf_public(view(m_skeyid_a), {ByteView(&zero, 1), u32be(message_id), ni_b, nr_b});
}

Bytes Ikev1KeySchedule::informational_hash(std::uint32_t message_id, ByteView after_hash) const {
  return prf_public(view(m_skeyid_a), {u32be(message_id), after_hash});
}

SecureBytes Ikev1KeySchedule::keymat(std::size_t length, std::uint8_t protocol, ByteView spi, ByteView ni_b,
                                     ByteView nr_b, ByteView g_qm_xy) const {
  Prf p(m_suite.prf, view(m_skeyid_d));
  Bytes out;
  out.reserve(length + p.size());
  SecureBytes k;
  while (out.size() < length) {
    if (!k.empty()) p.update(view(k));  // Kn = prf(SKEYID_d, Kn-1 | ...)
    if (!g_qm_xy.empty()) p.update(g_qm_xy);
    k = p.update(protocol).update(spi).update(ni_b).update(nr_b).final();
    out.insert(out.end(), k.data(), k.data() + k.size());
  }
  explicit_bzero(out.data() + length, out.size() - length);  // the unused tail of the last block
  out.resize(length);
  return SecureBytes(std::move(out));
}

}  // namespace ipseckit::crypto
