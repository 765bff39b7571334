#include "esp/fragment.h"

#include <algorithm>
#include <cstring>

#include "wire/ip_packet.h"

namespace ipseckit::esp {
namespace {

Error refuse(std::string msg) { return Error::make("malformed", std::move(msg)); }

// The options of the first header that are copied into later fragments, written to out (if
// given); returns their length before padding.
std::size_t copied_options(ByteView hdr, std::uint8_t* out) {
  std::size_t n = 0;
  for (std::size_t i = 20; i < hdr.size();) {
    const std::uint8_t type = hdr[i];
    if (type == 0) break;
    if (type == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= hdr.size() || hdr[i + 1] < 2 || i + hdr[i + 1] > hdr.size()) break;
    const std::size_t len = hdr[i + 1];
    if (type & 0x80) {
      if (out) std::memcpy(out + n, &hdr[i], len);
      n += len;
    }
    i += len;
  }
  return n;
}

}  // namespace

Result<FragmentPlan> plan_ipv4_fragments(ByteView packet, std::size_t mtu) {
  auto h = wire::parse_ipv4_header(packet);
  if (!h) return h.error();
  if (h->flags_frag & 0x4000) return refuse("fragmentation: DF is set");
  FragmentPlan p;
  p.header_len = std::size_t{h->ihl} * 4;
  p.data_len = h->total_length - p.header_len;
  const ByteView hdr = packet.first(p.header_len);
  p.later_header = 20 + (copied_options(hdr, nullptr) + 3) / 4 * 4;
  if (mtu < 68 || mtu < p.header_len + 8) return refuse("fragmentation: MTU below 68");
  if (h->total_length <= mtu) {
    p.first_step = p.data_len;
    p.count = 1;
    return p;
  }
  p.first_step = (mtu - p.header_len) / 8 * 8;
  p.later_step = (mtu - p.later_header) / 8 * 8;
  const std::size_t rest = p.data_len - p.first_step;
  p.count = 1 + (rest + p.later_step - 1) / p.later_step;
  // The fragment offset field has 13 bits of 8-byte units.
  if ((h->frag_offset() * 8 + p.data_len) / 8 > 0x1FFF) return refuse("fragmentation: offset overflow");
  return p;
}

std::size_t build_ipv4_fragment(ByteView packet, const FragmentPlan& plan, std::size_t index,
                                std::span<std::uint8_t> out) {
  if (index >= plan.count || packet.size() < plan.header_len + plan.data_len) return 0;
  const bool first = index == 0;
  const std::size_t start = first ? 0 : plan.first_step + (index - 1) * plan.later_step;
  const std::size_t take = std::min(first ? plan.first_step : plan.later_step, plan.data_len - start);
  const std::size_t hlen = first ? plan.header_len : plan.later_header;
  if (out.size() < hlen + take) return 0;
  std::uint8_t* o = out.data();
  std::memcpy(o, packet.data(), 20);
  if (first) {
    std::memcpy(o + 20, packet.data() + 20, plan.header_len - 20);
  } else {
    std::memset(o + 20, 0, hlen - 20);  // End of Options List padding
    copied_options(packet.first(plan.header_len), o + 20);
  }
  std::memcpy(o + hlen, packet.data() + plan.header_len + start, take);
  const std::uint16_t orig = static_cast<std::uint16_t>((packet[6] << 8) | packet[7]);
  const bool orig_mf = orig & 0x2000;
  const std::size_t offset_units = (orig & 0x1FFF) + start / 8;
  const bool mf = orig_mf || index + 1 < plan.count;
  const std::uint16_t ff = static_cast<std::uint16_t>((orig & 0x8000) | (mf ? 0x2000 : 0) | (offset_units & 0x1FFF));
  const std::size_t total = hlen + take;
  o[0] = static_cast<std::uint8_t>(0x40 | (hlen / 4));
  o[2] = static_cast<std::uint8_t>(total >> 8);
  o[3] = static_cast<std::uint8_t>(total);
  o[6] = static_cast<std::uint8_t>(ff >> 8);
  o[7] = static_cast<std::uint8_t>(ff);
  o[10] = o[11] = 0;
  const std::uint16_t c = wire::inet_checksum(ByteView(o, hlen));
  o[10] = static_cast<std::uint8_t>(c >> 8);
  o[11] = static_cast<std::uint8_t>(c);
  return total;
}

}  // namespace ipseckit::esp
