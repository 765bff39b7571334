#include "wire/isakmp_sa.h"

#include <fmt/format.h>

#include "wire/isakmp_error.h"
#include "wire/isakmp_header.h"

namespace ipseckit::wire::isakmp {
namespace {

Error bad_syntax(std::string m) { return isakmp_error(NotifyType::bad_proposal_syntax, std::move(m)); }

Result<Transform> parse_transform(ByteView body, std::uint8_t reserved, std::size_t pno) {
  ByteReader r(body, "transform");
  Transform t;
  t.reserved = reserved;
  t.number = r.u8();
  t.id = r.u8();
  t.reserved2 = r.u16be();
  if (!r.ok()) return malformed(fmt::format("proposal #{}: transform shorter than 4 bytes", pno));
  auto attrs = parse_attributes(r.rest());
  if (!attrs) return malformed(fmt::format("proposal #{} transform #{}: {}", pno, t.number, attrs.error().message));
  t.attributes = std::move(*attrs);
  return t;
}

Result<Proposal> parse_proposal(ByteView body, std::uint8_t reserved) {
  ByteReader r(body, "proposal");
  Proposal p;
  p.reserved = reserved;
  p.number = r.u8();
  p.protocol = static_cast<ProtocolId>(r.u8());
  const std::uint8_t spi_size = r.u8();
  const std::uint8_t count = r.u8();
  const ByteView spi = r.bytes(spi_size);
  if (!r.ok()) return malformed(fmt::format("proposal: {}", r.failure()));
  p.spi.assign(spi.begin(), spi.end());
  if (count == 0) return bad_syntax(fmt::format("proposal #{} has no transforms", p.number));
  auto chain = walk_payloads(PayloadType::transform, r.rest(), Trailing::reject);
  if (!chain) return malformed(fmt::format("proposal #{}: {}", p.number, chain.error().message));
  for (const auto& raw_t : *chain) {
    if (raw_t.type != PayloadType::transform)
      return bad_syntax(fmt::format("proposal #{}: next payload {} inside the transform chain", p.number, raw_t.type));
    auto t = parse_transform(raw_t.body, raw_t.reserved, p.number);
    if (!t) return t.error();
    p.transforms.push_back(std::move(*t));
  }
  if (p.transforms.size() != count)
    return bad_syntax(fmt::format("proposal #{} announces {} transforms but carries {}", p.number, count,
                                  p.transforms.size()));
  return p;
}

}  // namespace

Result<SaPayload> parse_sa(ByteView body) {
  ByteReader r(body, "SA payload");
  SaPayload sa;
  sa.doi = static_cast<Doi>(r.u32be());
  sa.situation = r.u32be();
  if (!r.ok()) return malformed("SA payload: shorter than DOI and situation");
  // RFC 2408 5.4: an unsupported DOI or situation is answered with its own notify.
  if (sa.doi != Doi::ipsec)
    return isakmp_error(NotifyType::doi_not_supported, fmt::format("SA payload: DOI {}", sa.doi));
  if (sa.situation != static_cast<std::uint32_t>(Situation::identity_only))
    return isakmp_error(NotifyType::situation_not_supported,
                        fmt::format("SA payload: situation {:#x} (only SIT_IDENTITY_ONLY)", sa.situation));
  if (r.remaining() == 0) return bad_syntax("SA payload without proposals");
  auto chain = walk_payloads(PayloadType::proposal, r.rest(), Trailing::reject);
  if (!chain) return malformed(fmt::format("SA payload: {}", chain.error().message));
  for (const auto& raw_p : *chain) {
    if (raw_p.type != PayloadType::proposal)
      return bad_syntax(fmt::format("SA payload: next payload {} inside the proposal chain", raw_p.type));
    auto p = parse_proposal(raw_p.body, raw_p.reserved);
    if (!p) return p.error();
    sa.proposals.push_back(std::move(*p));
  }
  return sa;
}

Status write_sa(ByteWriter& w, const SaPayload& sa) {
  w.u32be(raw(sa.doi));
  w.u32be(sa.situation);
  for (std::size_t i = 0; i < sa.proposals.size(); ++i) {
    const Proposal& p = sa.proposals[i];
    if (p.spi.size() > 0xFF) return malformed(fmt::format("proposal #{}: SPI of {} bytes", p.number, p.spi.size()));
    if (p.transforms.empty() || p.transforms.size() > 0xFF)
      return malformed(fmt::format("proposal #{}: {} transforms", p.number, p.transforms.size()));
    const std::size_t p_start = w.size();
    w.u8(raw(i + 1 < sa.proposals.size() ? PayloadType::proposal : PayloadType::none));
    w.u8(p.reserved);
    w.u16be(0);  // patched below
    w.u8(p.number);
    w.u8(raw(p.protocol));
    w.u8(static_cast<std::uint8_t>(p.spi.size()));
    w.u8(static_cast<std::uint8_t>(p.transforms.size()));
    w.bytes(p.spi);
    for (std::size_t j = 0; j < p.transforms.size(); ++j) {
      const Transform& t = p.transforms[j];
      const std::size_t t_start = w.size();
      w.u8(raw(j + 1 < p.transforms.size() ? PayloadType::transform : PayloadType::none));
      w.u8(t.reserved);
      w.u16be(0);
      w.u8(t.number);
      w.u8(t.id);
      w.u16be(t.reserved2);
      IPSECKIT_TRY(write_attributes(w, t.attributes));
      const std::size_t t_len = w.size() - t_start;
      if (t_len > 0xFFFF) return malformed(fmt::format("transform #{}: {} bytes do not fit", t.number, t_len));
      w.patch_u16be(t_start + 2, static_cast<std::uint16_t>(t_len));
    }
    const std::size_t p_len = w.size() - p_start;
    if (p_len > 0xFFFF) return malformed(fmt::format("proposal #{}: {} bytes do not fit", p.number, p_len));
    w.patch_u16be(p_start + 2, static_cast<std::uint16_t>(p_len));
  }
  return {};
}

}  // namespace ipseckit::wire::isakmp
