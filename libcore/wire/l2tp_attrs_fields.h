// Internal to the wire L2TP codec: one list of the typed fields of L2tpAttrs with their
// attribute types, and the value codecs chosen by the field's C++ type. Decoding and encoding
// both walk this list, so a field cannot be decoded one way and encoded another.
#pragma once

#include <string>

#include "base/bytes.h"
#include "wire/l2tp_attrs.h"

namespace ipseckit::wire::detail {

template <class Attrs, class F>
void visit_avp_fields(Attrs& a, F&& f) {
  f(AvpType::result_code, a.result_code);
  f(AvpType::protocol_version, a.protocol_version);
  f(AvpType::framing_capabilities, a.framing_capabilities);
  f(AvpType::bearer_capabilities, a.bearer_capabilities);
  f(AvpType::tie_breaker, a.tie_breaker);
  f(AvpType::firmware_revision, a.firmware_revision);
  f(AvpType::host_name, a.host_name);
  f(AvpType::vendor_name, a.vendor_name);
  f(AvpType::assigned_tunnel_id, a.assigned_tunnel_id);
  f(AvpType::receive_window_size, a.receive_window_size);
  f(AvpType::challenge, a.challenge);
  f(AvpType::q931_cause_code, a.q931_cause_code);
  f(AvpType::challenge_response, a.challenge_response);
  f(AvpType::assigned_session_id, a.assigned_session_id);
  f(AvpType::call_serial_number, a.call_serial_number);
  f(AvpType::minimum_bps, a.minimum_bps);
  f(AvpType::maximum_bps, a.maximum_bps);
  f(AvpType::bearer_type, a.bearer_type);
  f(AvpType::framing_type, a.framing_type);
  f(AvpType::called_number, a.called_number);
  f(AvpType::calling_number, a.calling_number);
  f(AvpType::sub_address, a.sub_address);
  f(AvpType::tx_connect_speed, a.tx_connect_speed);
  f(AvpType::physical_channel_id, a.physical_channel_id);
  f(AvpType::initial_received_lcp_confreq, a.initial_received_lcp_confreq);
  f(AvpType::last_sent_lcp_confreq, a.last_sent_lcp_confreq);
  f(AvpType::last_received_lcp_confreq, a.last_received_lcp_confreq);
  f(AvpType::proxy_authen_type, a.proxy_authen_type);
  f(AvpType::proxy_authen_name, a.proxy_authen_name);
  f(AvpType::proxy_authen_challenge, a.proxy_authen_challenge);
  f(AvpType::proxy_authen_id, a.proxy_authen_id);
  f(AvpType::proxy_authen_response, a.proxy_authen_response);
  f(AvpType::call_errors, a.call_errors);
  f(AvpType::accm, a.accm);
  f(AvpType::private_group_id, a.private_group_id);
  f(AvpType::rx_connect_speed, a.rx_connect_speed);
  f(AvpType::sequencing_required, a.sequencing_required);
}

// Value codecs. Each decoder consumes the whole value or fails.
inline bool decode_value(ByteReader& r, std::uint16_t& v) { v = r.u16be(); return r.expect_done(); }
inline bool decode_value(ByteReader& r, std::uint32_t& v) { v = r.u32be(); return r.expect_done(); }
inline bool decode_value(ByteReader& r, std::uint64_t& v) { v = r.u64be(); return r.expect_done(); }
inline bool decode_value(ByteReader& r, Present&) { return r.expect_done(); }

inline bool decode_value(ByteReader& r, Bytes& v) {
  ByteView b = r.rest();
  v.assign(b.begin(), b.end());
  return r.expect_done();
}

inline bool decode_value(ByteReader& r, std::string& v) {
  ByteView b = r.rest();
  v.assign(b.begin(), b.end());
  return r.expect_done();
}

inline bool decode_value(ByteReader& r, ProtocolVersion& v) {
  v.version = r.u8();
  v.revision = r.u8();
  return r.expect_done();
}

inline bool decode_value(ByteReader& r, ResultCodeValue& v) {
  v.result = r.u16be();
  if (r.remaining() == 0) return r.ok();
  // §4.4.2: the Error Code is 2 octets; a 3-octet Result Code AVP is malformed.
  v.error = r.u16be();
  decode_value(r, v.message);
  return r.expect_done();
}

inline bool decode_value(ByteReader& r, Q931Cause& v) {
  v.cause = r.u16be();
  v.message = r.u8();
  decode_value(r, v.advisory);
  return r.expect_done();
}

inline bool decode_value(ByteReader& r, CallErrors& v) {
  (void)r.u16be();  // reserved
  v.crc = r.u32be();
  v.framing = r.u32be();
  v.hardware_overruns = r.u32be();
  v.buffer_overruns = r.u32be();
  v.timeouts = r.u32be();
  v.alignment = r.u32be();
  return r.expect_done();
}

inline bool decode_value(ByteReader& r, AccmValue& v) {
  (void)r.u16be();  // reserved
  v.send = r.u32be();
  v.receive = r.u32be();
  return r.expect_done();
}

inline void encode_value(ByteWriter& w, std::uint16_t v) { w.u16be(v); }
inline void encode_value(ByteWriter& w, std::uint32_t v) { w.u32be(v); }
inline void encode_value(ByteWriter& w, std::uint64_t v) { w.u64be(v); }
inline void encode_value(ByteWriter&, const Present&) {}
inline void encode_value(ByteWriter& w, const Bytes& v) { w.bytes(v); }

inline void encode_value(ByteWriter& w, const std::string& v) {
  for (char c : v) w.u8(static_cast<std::uint8_t>(c));
}

inline void encode_value(ByteWriter& w, const ProtocolVersion& v) {
  w.u8(v.version);
  w.u8(v.revision);
}

inline void encode_value(ByteWriter& w, const ResultCodeValue& v) {
  w.u16be(v.result);
  if (!v.error && v.message.empty()) return;
  w.u16be(v.error.value_or(0));  // a message needs an error code in front of it
  encode_value(w, v.message);
}

inline void encode_value(ByteWriter& w, const Q931Cause& v) {
  w.u16be(v.cause);
  w.u8(v.message);
  encode_value(w, v.advisory);
}

inline void encode_value(ByteWriter& w, const CallErrors& v) {
  w.u16be(0);
  for (std::uint32_t c : {v.crc, v.framing, v.hardware_overruns, v.buffer_overruns, v.timeouts, v.alignment})
    w.u32be(c);
}

inline void encode_value(ByteWriter& w, const AccmValue& v) {
  w.u16be(0);
  w.u32be(v.send);
  w.u32be(v.receive);
}

}  // namespace ipseckit::wire::detail
