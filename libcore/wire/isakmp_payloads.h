// The small IKEv1 payloads: KE, CERT, CR, HASH, SIG, NONCE, N, D, VID (RFC 2408 3.7-3.16),
// NAT-D and NAT-OA (RFC 3947 3.2, 5.2; the same bodies under the draft-02 numbers 130/131).
// Each has a body struct, parse_X(body) and write_X(writer, X): byte-exact round trips.
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/ip_address.h"
#include "wire/isakmp_types.h"

namespace ipseckit::wire::isakmp {

// KE (3.7), HASH (3.11), SIG (3.12), NONCE (3.13), VID (3.16), NAT-D (RFC 3947 3.2): one
// opaque field after the generic header.
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~            Key Exchange / Hash / Signature / Nonce data       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct KePayload {
  Bytes data;  // g^x (MODP: padded to the prime's size; ECP: x | y, RFC 5903 7)
  friend bool operator==(const KePayload&, const KePayload&) = default;
};
struct HashPayload {
  Bytes data;
  friend bool operator==(const HashPayload&, const HashPayload&) = default;
};
struct SigPayload {
  Bytes data;
  friend bool operator==(const SigPayload&, const SigPayload&) = default;
};
struct NoncePayload {
  Bytes data;  // RFC 2409 5: 8..256 bytes
  friend bool operator==(const NoncePayload&, const NoncePayload&) = default;
};
struct VendorIdPayload {
  Bytes data;  // see isakmp_vendor.h for the ones we know
  friend bool operator==(const VendorIdPayload&, const VendorIdPayload&) = default;
};
struct NatDPayload {
  Bytes hash;  // HASH(CKY-I | CKY-R | IP | Port), RFC 3947 3.2
  friend bool operator==(const NatDPayload&, const NatDPayload&) = default;
};

inline constexpr std::size_t kMinNonce = 8;
inline constexpr std::size_t kMaxNonce = 256;

Result<KePayload> parse_ke(ByteView body);          // non-empty
Result<HashPayload> parse_hash(ByteView body);      // non-empty
Result<SigPayload> parse_sig(ByteView body);        // non-empty
Result<NoncePayload> parse_nonce(ByteView body);    // 8..256 bytes (RFC 2409 5)
Result<VendorIdPayload> parse_vendor_id(ByteView body);
Result<NatDPayload> parse_nat_d(ByteView body);     // non-empty

// CERT (3.9) and CR (3.10):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Cert Encoding !                                               !
// +-+-+-+-+-+-+-+-+                                               !
// ~            Certificate Data / Certificate Authority           ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct CertPayload {
  CertEncoding encoding = CertEncoding::x509_signature;
  Bytes data;
  friend bool operator==(const CertPayload&, const CertPayload&) = default;
};
struct CrPayload {
  CertEncoding type = CertEncoding::x509_signature;
  Bytes authority;  // DER distinguished name of an acceptable CA; empty = any
  friend bool operator==(const CrPayload&, const CrPayload&) = default;
};
Result<CertPayload> parse_cert(ByteView body);  // encoding byte + non-empty data
Result<CrPayload> parse_cr(ByteView body);

// N (3.14):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !              Domain of Interpretation  (DOI)                  !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !  Protocol-ID  !   SPI Size    !      Notify Message Type      !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                Security Parameter Index (SPI)                 ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                       Notification Data                       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct NotifyPayload {
  Doi doi = Doi::ipsec;
  ProtocolId protocol = ProtocolId::isakmp;
  NotifyType type = NotifyType::initial_contact;
  Bytes spi;   // ISAKMP: 16 bytes (CKY-I | CKY-R) or empty; AH/ESP: 4 bytes
  Bytes data;  // e.g. the DPD sequence number (RFC 3706 5), RESPONDER-LIFETIME attributes
  friend bool operator==(const NotifyPayload&, const NotifyPayload&) = default;
};
Result<NotifyPayload> parse_notify(ByteView body);
Status write_notify(ByteWriter& w, const NotifyPayload& n);  // SPI <= 255 bytes

// D (3.15):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !              Domain of Interpretation  (DOI)                  !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !  Protocol-Id  !   SPI Size    !           # of SPIs           !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~               Security Parameter Index(es) (SPI)              ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct DeletePayload {
  Doi doi = Doi::ipsec;
  ProtocolId protocol = ProtocolId::esp;
  std::uint8_t spi_size = 4;
  std::vector<Bytes> spis;  // each spi_size bytes
  friend bool operator==(const DeletePayload&, const DeletePayload&) = default;
};
// SPI size x count must equal the rest exactly; SPIs of size 0 are refused.
Result<DeletePayload> parse_delete(ByteView body);
Status write_delete(ByteWriter& w, const DeletePayload& d);

// NAT-OA (RFC 3947 5.2):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !   ID Type     !   RESERVED    !            RESERVED           !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !         IPv4 (4 octets) or IPv6 address (16 octets)           !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct NatOaPayload {
  IpAddr address;
  std::uint8_t reserved1 = 0;
  std::uint16_t reserved2 = 0;
  friend bool operator==(const NatOaPayload&, const NatOaPayload&) = default;
};
// ID type must be ID_IPV4_ADDR (4 bytes) or ID_IPV6_ADDR (16 bytes).
Result<NatOaPayload> parse_nat_oa(ByteView body);
void write_nat_oa(ByteWriter& w, const NatOaPayload& oa);

void write_cert(ByteWriter& w, const CertPayload& c);
void write_cr(ByteWriter& w, const CrPayload& c);

}  // namespace ipseckit::wire::isakmp
