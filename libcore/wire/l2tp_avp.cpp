#include "wire/l2tp_avp.h"

#include <fmt/format.h>

#include <algorithm>

namespace ipseckit::wire {
namespace {

Error malformed(std::string what) {
  return l2tp_malformed("L2TP AVP: " + what);
}

Error hidden_error(std::string what) {
  return Error::make("l2tp.hidden", "hidden AVP: " + what,
                     l2tp_proto(2, static_cast<std::uint16_t>(L2tpErrorCode::vendor_error)));
}

// The §4.3 keystream, XORed into `data` in place. `hiding` tells which side of the XOR the
// chaining value c(i-1) is on: the output when hiding, the input when unhiding.
void apply_keystream(std::uint16_t type, Bytes& data, ByteView secret, ByteView rv, AvpMd5 md5, bool hiding) {
  const std::array<std::uint8_t, 2> attr{static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type)};
  std::array<std::uint8_t, 16> prev{};  // c(i-1): always the hidden (obscured) block
  for (std::size_t off = 0; off < data.size(); off += 16) {
    const auto b = off == 0 ? md5({ByteView(attr), secret, rv}) : md5({secret, ByteView(prev)});
    const std::size_t n = std::min<std::size_t>(16, data.size() - off);
    for (std::size_t i = 0; i < n; ++i) {
      if (!hiding) prev[i] = data[off + i];
      data[off + i] = static_cast<std::uint8_t>(data[off + i] ^ b[i]);
      if (hiding) prev[i] = data[off + i];
    }
  }
}

}  // namespace

Result<std::vector<Avp>> parse_avps(ByteView payload) {
  ByteReader r(payload, "L2TP AVPs");
  std::vector<Avp> out;
  while (!r.done()) {
    const std::size_t at = r.position();
    if (r.remaining() < kAvpHeaderSize)
      return malformed(fmt::format("{} trailing bytes at offset {} are shorter than an AVP header", r.remaining(), at));
    Avp a;
    const std::uint16_t fl = r.u16be();
    a.vendor = r.u16be();
    a.type = r.u16be();
    a.mandatory = (fl & kAvpFlagM) != 0;
    a.hidden = (fl & kAvpFlagH) != 0;
    a.reserved = static_cast<std::uint8_t>((fl & kAvpReservedMask) >> 10);
    const std::size_t len = fl & kAvpLengthMask;
    if (len < kAvpHeaderSize)
      return malformed(fmt::format("attribute {} at offset {} has Length {} (minimum 6)", a.type, at, len));
    if (len - kAvpHeaderSize > r.remaining())
      return malformed(fmt::format("attribute {} at offset {} has Length {}, only {} bytes left", a.type, at, len,
                                   r.remaining() + kAvpHeaderSize));
    ByteView v = r.bytes(len - kAvpHeaderSize);
    a.value.assign(v.begin(), v.end());
    out.push_back(std::move(a));
  }
  return out;
}

Result<Bytes> serialize_avps(const std::vector<Avp>& avps) {
  ByteWriter w;
  for (const auto& a : avps) {
    if (a.value.size() > kAvpMaxValue)
      return Error::make("l2tp.length", fmt::format("AVP {} value of {} bytes exceeds the {}-byte maximum",
                                                    name(static_cast<AvpType>(a.type)), a.value.size(), kAvpMaxValue));
    std::uint16_t fl = static_cast<std::uint16_t>(kAvpHeaderSize + a.value.size());
    if (a.mandatory) fl |= kAvpFlagM;
    if (a.hidden) fl |= kAvpFlagH;
    fl = static_cast<std::uint16_t>(fl | ((a.reserved & 0xF) << 10));
    w.u16be(fl);
    w.u16be(a.vendor);
    w.u16be(a.type);
    w.bytes(a.value);
  }
  return w.take();
}

Result<Bytes> hide_avp_value(std::uint16_t type, ByteView value, ByteView secret, ByteView random_vector,
                             ByteView padding, AvpMd5 md5) {
  if (secret.empty()) return hidden_error("cannot hide without a shared secret");
  if (random_vector.empty()) return hidden_error("cannot hide without a Random Vector");
  if (2 + value.size() + padding.size() > kAvpMaxValue)
    return Error::make("l2tp.hidden", fmt::format("hidden AVP {} of {} bytes does not fit an AVP",
                                                  name(static_cast<AvpType>(type)), 2 + value.size() + padding.size()));
  ByteWriter w;
  w.u16be(static_cast<std::uint16_t>(value.size()));
  w.bytes(value);
  w.bytes(padding);
  Bytes data = w.take();
  apply_keystream(type, data, secret, random_vector, md5, true);
  return data;
}

Result<Bytes> unhide_avp_value(std::uint16_t type, ByteView hidden, ByteView secret, ByteView random_vector,
                               AvpMd5 md5) {
  const std::string what = name(static_cast<AvpType>(type));
  if (secret.empty()) return hidden_error(what + " is hidden but no tunnel secret is configured");
  if (random_vector.empty()) return hidden_error(what + " is hidden but no Random Vector precedes it");
  if (hidden.size() < 2) return hidden_error(what + " is shorter than its 2-byte length field");
  Bytes data(hidden.begin(), hidden.end());
  apply_keystream(type, data, secret, random_vector, md5, false);
  ByteReader r(data, "hidden AVP subformat");
  const std::uint16_t orig = r.u16be();
  if (orig > r.remaining())
    return hidden_error(fmt::format("{}: original length {} exceeds the {} hidden bytes (wrong tunnel secret?)", what,
                                    orig, r.remaining()));
  ByteView v = r.bytes(orig);
  return Bytes(v.begin(), v.end());
}

}  // namespace ipseckit::wire
