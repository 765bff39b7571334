#include "wire/ppp_frame.h"

#include <array>

#include <fmt/format.h>

namespace ipseckit::wire {
namespace {

struct ProtoName {
  PppProtocol p;
  std::string_view text;
};

constexpr std::array<ProtoName, 15> kProtocols{{
    {PppProtocol::ip, "IP"},
    {PppProtocol::mp, "MP"},
    {PppProtocol::ipv6, "IPv6"},
    {PppProtocol::vj_compressed, "VJ-compressed"},
    {PppProtocol::vj_uncompressed, "VJ-uncompressed"},
    {PppProtocol::ipcp, "IPCP"},
    {PppProtocol::ecp, "ECP"},
    {PppProtocol::ipv6cp, "IPV6CP"},
    {PppProtocol::ccp, "CCP"},
    {PppProtocol::lcp, "LCP"},
    {PppProtocol::pap, "PAP"},
    {PppProtocol::lqr, "LQR"},
    {PppProtocol::cbcp, "CBCP"},
    {PppProtocol::chap, "CHAP"},
    {PppProtocol::eap, "EAP"},
}};

Error malformed(std::string what) { return Error::make("ppp.malformed", "PPP frame: " + what); }

}  // namespace

std::string name(PppProtocol p) {
  for (const auto& n : kProtocols)
    if (n.p == p) return std::string(n.text);
  return fmt::format("<unknown:0x{:04x}>", static_cast<unsigned>(p));
}

Result<PppFrame> parse_ppp_frame(ByteView frame) {
  ByteReader r(frame, "PPP frame");
  PppFrame f;
  if (frame.empty()) return malformed("empty");
  if (frame[0] == kPppAddress) {
    r.u8();
    if (r.u8() != kPppControl || !r.ok()) return malformed("address 0xff without control 0x03");
    f.address_control = true;
  }
  const std::uint8_t first = r.u8();
  if (!r.ok()) return malformed("no protocol field");
  if (first & 1) {
    f.protocol_compressed = true;
    f.protocol = first;
  } else {
    const std::uint8_t second = r.u8();
    if (!r.ok()) return malformed("protocol field cut short");
    if ((second & 1) == 0) return malformed(fmt::format("invalid protocol 0x{:02x}{:02x} (low octet even)", first, second));
    f.protocol = static_cast<std::uint16_t>((first << 8) | second);
  }
  f.info = r.rest();
  return f;
}

Bytes serialize_ppp_frame(std::uint16_t protocol, ByteView info, bool address_control, bool compress_protocol) {
  const bool lcp = protocol == static_cast<std::uint16_t>(PppProtocol::lcp);
  ByteWriter w;
  if (address_control || lcp) {
    w.u8(kPppAddress);
    w.u8(kPppControl);
  }
  if (compress_protocol && !lcp && protocol < 0x100) w.u8(static_cast<std::uint8_t>(protocol));
  else w.u16be(protocol);
  w.bytes(info);
  return w.take();
}

}  // namespace ipseckit::wire
