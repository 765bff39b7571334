#include "wire/ppp_auth.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/strings.h"

namespace ipseckit::wire {
namespace {

Error malformed(std::string what) { return Error::make("ppp.malformed", std::move(what)); }

std::string to_string(ByteView v) { return std::string(v.begin(), v.end()); }

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

Result<PapRequest> parse_pap_request(ByteView data) {
  ByteReader r(data, "PAP Authenticate-Request");
  PapRequest p;
  const std::uint8_t idlen = r.u8();
  p.peer_id = to_string(r.bytes(idlen));
  const std::uint8_t pwlen = r.u8();
  ByteView pw = r.bytes(pwlen);
  if (!r.ok()) return malformed(r.failure());
  p.password = SecureBytes(Bytes(pw.begin(), pw.end()));
  return p;
}

Result<Bytes> serialize_pap_request(std::string_view peer_id, ByteView password) {
  if (peer_id.size() > 255 || password.size() > 255)
    return Error::make("ppp.length", "PAP peer id and password are limited to 255 octets");
  ByteWriter w;
  w.u8(static_cast<std::uint8_t>(peer_id.size()));
  for (char c : peer_id) w.u8(static_cast<std::uint8_t>(c));
  w.u8(static_cast<std::uint8_t>(password.size()));
  w.bytes(password);
  return w.take();
}

Result<std::string> parse_pap_message(ByteView data) {
  ByteReader r(data, "PAP Authenticate-Ack/Nak");
  const std::uint8_t len = r.u8();
  ByteView m = r.bytes(len);
  if (!r.ok()) return malformed(r.failure());
  return to_string(m);
}

Bytes serialize_pap_message(std::string_view message) {
  if (message.size() > 255) message = message.substr(0, 255);
  ByteWriter w;
  w.u8(static_cast<std::uint8_t>(message.size()));
  for (char c : message) w.u8(static_cast<std::uint8_t>(c));
  return w.take();
}

Result<ChapValue> parse_chap_value(ByteView data) {
  ByteReader r(data, "CHAP Challenge/Response");
  ChapValue v;
  const std::uint8_t size = r.u8();
  ByteView value = r.bytes(size);
  if (!r.ok()) return malformed(r.failure());
  // RFC 1994 §4.1: "The Value Size ... MUST be at least one octet".
  if (size == 0) return malformed("CHAP Value-Size 0");
  v.value.assign(value.begin(), value.end());
  v.name = to_string(r.rest());
  return v;
}

Result<Bytes> serialize_chap_value(const ChapValue& v) {
  if (v.value.empty() || v.value.size() > 255) return Error::make("ppp.length", "CHAP value must be 1..255 octets");
  ByteWriter w;
  w.u8(static_cast<std::uint8_t>(v.value.size()));
  w.bytes(v.value);
  for (char c : v.name) w.u8(static_cast<std::uint8_t>(c));
  return w.take();
}

Result<MsChapV2Response> parse_mschapv2_response(ByteView value) {
  if (value.size() != kMsChapV2ResponseSize)
    return malformed(fmt::format("MS-CHAPv2 Response value of {} octets (expected 49)", value.size()));
  ByteReader r(value, "MS-CHAPv2 Response");
  MsChapV2Response m;
  ByteView pc = r.bytes(16);
  std::copy(pc.begin(), pc.end(), m.peer_challenge.begin());
  r.skip(8);  // reserved; RFC 2759 §4 "MUST be zero" on send, not checked on receipt
  ByteView nt = r.bytes(24);
  std::copy(nt.begin(), nt.end(), m.nt_response.begin());
  m.flags = r.u8();
  return m;
}

Bytes serialize_mschapv2_response(const MsChapV2Response& m) {
  ByteWriter w;
  w.bytes(m.peer_challenge);
  w.zeros(8);
  w.bytes(m.nt_response);
  w.u8(m.flags);
  return w.take();
}

Result<MsChapV2Success> parse_mschapv2_success(std::string_view text) {
  // RFC 2759 §5: "S=<auth_string> M=<message>"; the auth_string is 40 hex digits.
  if (text.size() < 42 || text.substr(0, 2) != "S=" || !is_hex(text.substr(2, 40)))
    return malformed("MS-CHAPv2 Success message without \"S=\" and 40 hex digits");
  MsChapV2Success s;
  s.authenticator_response = str::to_upper(text.substr(0, 42));
  s.authenticator_response[0] = 'S';
  std::string_view rest = text.substr(42);
  if (rest.substr(0, 3) == " M=") s.message = std::string(rest.substr(3));
  return s;
}

std::string format_mschapv2_success(const MsChapV2Success& s) {
  return s.message.empty() ? s.authenticator_response : s.authenticator_response + " M=" + s.message;
}

Result<MsChapV2Failure> parse_mschapv2_failure(std::string_view text) {
  MsChapV2Failure f;
  bool have_error = false;
  while (!text.empty()) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (text.substr(0, 2) == "M=") {
      f.message = std::string(text.substr(2));
      break;
    }
    const std::size_t sp = text.find(' ');
    const std::string_view tok = text.substr(0, sp);
    text = sp == std::string_view::npos ? std::string_view{} : text.substr(sp);
    if (tok.size() < 2 || tok[1] != '=') continue;  // unknown fields are skipped
    const std::string_view val = tok.substr(2);
    switch (tok[0]) {
      case 'E': {
        auto n = str::parse_uint(val, 0xFFFFFFFF);
        if (!n) return malformed("MS-CHAPv2 Failure with a bad E= value");
        f.error = static_cast<std::uint32_t>(*n);
        have_error = true;
        break;
      }
      case 'R': f.retry = val == "1"; break;
      case 'C': {
        Bytes c;
        if (val.size() != 32 || !from_hex(val, c)) return malformed("MS-CHAPv2 Failure with a bad C= value");
        f.challenge.emplace();
        std::copy(c.begin(), c.end(), f.challenge->begin());
        break;
      }
      case 'V': {
        auto n = str::parse_uint(val, 0xFFFFFFFF);
        if (n) f.version = static_cast<std::uint32_t>(*n);
        break;
      }
      default: break;
    }
  }
  if (!have_error) return malformed("MS-CHAPv2 Failure message without E=");
  return f;
}

std::string format_mschapv2_failure(const MsChapV2Failure& f) {
  std::string s = fmt::format("E={} R={}", f.error, f.retry ? 1 : 0);
  if (f.challenge) s += " C=" + str::to_upper(to_hex(*f.challenge));
  s += fmt::format(" V={}", f.version);
  if (!f.message.empty()) s += " M=" + f.message;
  return s;
}

}  // namespace ipseckit::wire
