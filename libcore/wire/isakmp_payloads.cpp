#include "wire/isakmp_payloads.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "wire/isakmp_error.h"

namespace ipseckit::wire::isakmp {
namespace {

Result<Bytes> opaque(ByteView body, std::string_view what, bool allow_empty) {
  if (body.empty() && !allow_empty) return malformed(fmt::format("{} payload without data", what));
  return Bytes(body.begin(), body.end());
}

}  // namespace

Result<KePayload> parse_ke(ByteView body) {
  auto d = opaque(body, "KE", false);
  if (!d) return d.error();
  return KePayload{std::move(*d)};
}

Result<HashPayload> parse_hash(ByteView body) {
  auto d = opaque(body, "HASH", false);
  if (!d) return d.error();
  return HashPayload{std::move(*d)};
}

Result<SigPayload> parse_sig(ByteView body) {
  auto d = opaque(body, "SIG", false);
  if (!d) return d.error();
  return SigPayload{std::move(*d)};
}

Result<NoncePayload> parse_nonce(ByteView body) {
  // RFC 2409 5: "The length of nonce payload MUST be between 8 and 256 bytes inclusive."
  if (body.size() < kMinNonce || body.size() > kMaxNonce)
    return malformed(fmt::format("NONCE payload of {} bytes (RFC 2409: 8 to 256)", body.size()));
  return NoncePayload{Bytes(body.begin(), body.end())};
}

Result<VendorIdPayload> parse_vendor_id(ByteView body) { return VendorIdPayload{Bytes(body.begin(), body.end())}; }

Result<NatDPayload> parse_nat_d(ByteView body) {
  auto d = opaque(body, "NAT-D", false);
  if (!d) return d.error();
  return NatDPayload{std::move(*d)};
}

Result<CertPayload> parse_cert(ByteView body) {
  ByteReader r(body, "CERT payload");
  CertPayload c;
  c.encoding = static_cast<CertEncoding>(r.u8());
  if (!r.ok() || r.remaining() == 0) return malformed("CERT payload without certificate data");
  const ByteView d = r.rest();
  c.data.assign(d.begin(), d.end());
  return c;
}

Result<CrPayload> parse_cr(ByteView body) {
  ByteReader r(body, "CR payload");
  CrPayload c;
  c.type = static_cast<CertEncoding>(r.u8());
  if (!r.ok()) return malformed("CR payload without certificate type");
  const ByteView d = r.rest();
  c.authority.assign(d.begin(), d.end());
  return c;
}

void write_cert(ByteWriter& w, const CertPayload& c) {
  w.u8(raw(c.encoding));
  w.bytes(c.data);
}

void write_cr(ByteWriter& w, const CrPayload& c) {
  w.u8(raw(c.type));
  w.bytes(c.authority);
}

Result<NotifyPayload> parse_notify(ByteView body) {
  ByteReader r(body, "N payload");
  NotifyPayload n;
  n.doi = static_cast<Doi>(r.u32be());
  n.protocol = static_cast<ProtocolId>(r.u8());
  const std::uint8_t spi_size = r.u8();
  n.type = static_cast<NotifyType>(r.u16be());
  const ByteView spi = r.bytes(spi_size);
  if (!r.ok()) return malformed(fmt::format("N payload: {}", r.failure()));
  n.spi.assign(spi.begin(), spi.end());
  const ByteView data = r.rest();
  n.data.assign(data.begin(), data.end());
  return n;
}

Status write_notify(ByteWriter& w, const NotifyPayload& n) {
  if (n.spi.size() > 0xFF) return malformed(fmt::format("N payload: SPI of {} bytes", n.spi.size()));
  w.u32be(raw(n.doi));
  w.u8(raw(n.protocol));
  w.u8(static_cast<std::uint8_t>(n.spi.size()));
  w.u16be(raw(n.type));
  w.bytes(n.spi);
  w.bytes(n.data);
  return {};
}

Result<DeletePayload> parse_delete(ByteView body) {
  ByteReader r(body, "D payload");
  DeletePayload d;
  d.doi = static_cast<Doi>(r.u32be());
  d.protocol = static_cast<ProtocolId>(r.u8());
  d.spi_size = r.u8();
  const std::uint16_t count = r.u16be();
  if (!r.ok()) return malformed("D payload: shorter than 8 bytes");
  if (d.spi_size == 0) return malformed("D payload: SPI size 0");
  if (r.remaining() != std::size_t{d.spi_size} * count)
    return malformed(fmt::format("D payload: {} SPIs of {} bytes need {} bytes, have {}", count, d.spi_size,
                                 std::size_t{d.spi_size} * count, r.remaining()));
  d.spis.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) {
    const ByteView s = r.bytes(d.spi_size);
    d.spis.emplace_back(s.begin(), s.end());
  }
  return d;
}

Status write_delete(ByteWriter& w, const DeletePayload& d) {
  if (d.spi_size == 0) return malformed("D payload: SPI size 0");
  if (d.spis.size() > 0xFFFF) return malformed(fmt::format("D payload: {} SPIs", d.spis.size()));
  for (const auto& s : d.spis)
    if (s.size() != d.spi_size)
      return malformed(fmt::format("D payload: an SPI of {} bytes in a list of {}-byte SPIs", s.size(), d.spi_size));
  w.u32be(raw(d.doi));
  w.u8(raw(d.protocol));
  w.u8(d.spi_size);
  w.u16be(static_cast<std::uint16_t>(d.spis.size()));
  for (const auto& s : d.spis) w.bytes(s);
  return {};
}

Result<NatOaPayload> parse_nat_oa(ByteView body) {
  ByteReader r(body, "NAT-OA payload");
  NatOaPayload oa;
  const auto type = static_cast<IdType>(r.u8());
  oa.reserved1 = r.u8();
  oa.reserved2 = r.u16be();
  if (!r.ok()) return malformed("NAT-OA payload: shorter than 4 bytes");
  if (type == IdType::ipv4_addr && r.remaining() == 4) {
    oa.address = IpAddr::v4(r.u32be());
  } else if (type == IdType::ipv6_addr && r.remaining() == 16) {
    std::array<std::uint8_t, 16> b{};
    const ByteView a = r.bytes(16);
    std::copy(a.begin(), a.end(), b.begin());
    oa.address = IpAddr::v6(b);
  } else {
    return malformed(fmt::format("NAT-OA payload: {} with {} bytes of address", type, r.remaining()));
  }
  return oa;
}

void write_nat_oa(ByteWriter& w, const NatOaPayload& oa) {
  w.u8(raw(oa.address.is_v4() ? IdType::ipv4_addr : IdType::ipv6_addr));
  w.u8(oa.reserved1);
  w.u16be(oa.reserved2);
  const auto& b = oa.address.bytes();
  w.bytes(ByteView(b.data(), oa.address.is_v4() ? 4 : 16));
}

}  // namespace ipseckit::wire::isakmp
