#include "wire/ppp_cp.h"

#include <array>

#include <fmt/format.h>

#include "wire/named_table.h"

namespace ipseckit::wire {
namespace {

using names::lookup;
using names::Named;

constexpr std::array<Named<CpCode>, 13> kCodes{{
    {CpCode::configure_request, "Configure-Request"},
    {CpCode::configure_ack, "Configure-Ack"},
    {CpCode::configure_nak, "Configure-Nak"},
    {CpCode::configure_reject, "Configure-Reject"},
    {CpCode::terminate_request, "Terminate-Request"},
    {CpCode::terminate_ack, "Terminate-Ack"},
    {CpCode::code_reject, "Code-Reject"},
    {CpCode::protocol_reject, "Protocol-Reject"},
    {CpCode::echo_request, "Echo-Request"},
    {CpCode::echo_reply, "Echo-Reply"},
    {CpCode::discard_request, "Discard-Request"},
    {CpCode::identification, "Identification"},
    {CpCode::time_remaining, "Time-Remaining"},
}};

constexpr std::array<Named<LcpOption>, 14> kLcpOptions{{
    {LcpOption::mru, "MRU"},
    {LcpOption::accm, "ACCM"},
    {LcpOption::auth_protocol, "Authentication-Protocol"},
    {LcpOption::quality_protocol, "Quality-Protocol"},
    {LcpOption::magic_number, "Magic-Number"},
    {LcpOption::pfc, "Protocol-Field-Compression"},
    {LcpOption::acfc, "Address-and-Control-Field-Compression"},
    {LcpOption::fcs_alternatives, "FCS-Alternatives"},
    {LcpOption::self_describing_pad, "Self-Describing-Pad"},
    {LcpOption::callback, "Callback"},
    {LcpOption::mrru, "Multilink-MRRU"},
    {LcpOption::short_sequence, "Multilink-Short-Sequence"},
    {LcpOption::endpoint_discriminator, "Endpoint-Discriminator"},
    {LcpOption::link_discriminator, "Link-Discriminator"},
}};

constexpr std::array<Named<IpcpOption>, 7> kIpcpOptions{{
    {IpcpOption::ip_addresses, "IP-Addresses"},
    {IpcpOption::ip_compression, "IP-Compression-Protocol"},
    {IpcpOption::ip_address, "IP-Address"},
    {IpcpOption::primary_dns, "Primary-DNS"},
    {IpcpOption::primary_nbns, "Primary-NBNS"},
    {IpcpOption::secondary_dns, "Secondary-DNS"},
    {IpcpOption::secondary_nbns, "Secondary-NBNS"},
}};

}  // namespace

std::string name(CpCode c) { return lookup(kCodes, c); }
std::string name(LcpOption o) { return lookup(kLcpOptions, o); }
std::string name(IpcpOption o) { return lookup(kIpcpOptions, o); }

Result<CpPacket> parse_cp(ByteView info) {
  ByteReader r(info, "PPP control packet");
  CpPacket p;
  p.code = r.u8();
  p.id = r.u8();
  const std::uint16_t len = r.u16be();
  if (!r.ok()) return Error::make("ppp.malformed", fmt::format("PPP control packet of {} bytes", info.size()));
  if (len < 4 || len > info.size())
    return Error::make("ppp.malformed", fmt::format("PPP control packet Length {} with {} bytes present", len, info.size()));
  ByteView d = r.bytes(len - 4u);
  p.data.assign(d.begin(), d.end());
  return p;
}

Result<Bytes> serialize_cp(const CpPacket& p) {
  if (p.data.size() + 4 > 0xFFFF) return Error::make("ppp.length", "PPP control packet too long");
  ByteWriter w;
  w.u8(p.code);
  w.u8(p.id);
  w.u16be(static_cast<std::uint16_t>(p.data.size() + 4));
  w.bytes(p.data);
  return w.take();
}

Result<std::vector<CpOption>> parse_options(ByteView data) {
  ByteReader r(data, "PPP options");
  std::vector<CpOption> out;
  while (!r.done()) {
    const std::size_t at = r.position();
    CpOption o;
    o.type = r.u8();
    const std::uint8_t len = r.u8();
    if (!r.ok()) return Error::make("ppp.malformed", fmt::format("PPP option header cut short at offset {}", at));
    if (len < 2 || len - 2u > r.remaining())
      return Error::make("ppp.malformed", fmt::format("PPP option {} at offset {} has Length {} with {} bytes left",
                                                      o.type, at, len, r.remaining() + 2));
    ByteView v = r.bytes(len - 2u);
    o.value.assign(v.begin(), v.end());
    out.push_back(std::move(o));
  }
  return out;
}

Result<Bytes> serialize_options(const std::vector<CpOption>& opts) {
  ByteWriter w;
  for (const auto& o : opts) {
    if (o.value.size() > 253) return Error::make("ppp.length", fmt::format("PPP option {} value too long", o.type));
    w.u8(o.type);
    w.u8(static_cast<std::uint8_t>(o.value.size() + 2));
    w.bytes(o.value);
  }
  return w.take();
}

}  // namespace ipseckit::wire
