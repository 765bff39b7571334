// The two RFC 2661 tables the codec enforces: per attribute (§4.4) and per message (§6).
#include <array>

#include <fmt/format.h>

#include "wire/l2tp_attrs.h"

namespace ipseckit::wire {
namespace {

using A = AvpType;
constexpr std::size_t kMax = kAvpMaxValue;

// {type, min value length, max value length, MAY be hidden, M bit we send}
constexpr std::array<AvpRule, 39> kAvpRules{{
    {A::message_type, 2, 2, false, true},                // §4.4.1 MUST NOT be hidden
    {A::result_code, 2, kMax, false, true},              // §4.4.2
    {A::protocol_version, 2, 2, false, true},            // §4.4.3
    {A::framing_capabilities, 4, 4, true, true},
    {A::bearer_capabilities, 4, 4, true, true},
    {A::tie_breaker, 8, 8, false, false},                // M bit MUST be 0
    {A::firmware_revision, 2, 2, true, false},
    {A::host_name, 1, kMax, false, true},
    {A::vendor_name, 0, kMax, true, false},
    {A::assigned_tunnel_id, 2, 2, true, true},
    {A::receive_window_size, 2, 2, false, true},
    {A::challenge, 1, kMax, true, true},
    {A::q931_cause_code, 3, kMax, false, true},          // §4.4.5
    {A::challenge_response, 16, 16, true, true},
    {A::assigned_session_id, 2, 2, true, true},
    {A::call_serial_number, 4, 4, true, true},
    {A::minimum_bps, 4, 4, true, true},
    {A::maximum_bps, 4, 4, true, true},
    {A::bearer_type, 4, 4, true, true},
    {A::framing_type, 4, 4, true, true},
    {A::called_number, 0, kMax, true, true},
    {A::calling_number, 0, kMax, true, true},
    {A::sub_address, 0, kMax, true, true},
    {A::tx_connect_speed, 4, 4, true, true},
    {A::physical_channel_id, 4, 4, true, false},
    {A::initial_received_lcp_confreq, 0, kMax, true, false},  // §4.4.5 proxy LCP
    {A::last_sent_lcp_confreq, 0, kMax, true, false},
    {A::last_received_lcp_confreq, 0, kMax, true, false},
    {A::proxy_authen_type, 2, 2, true, false},
    {A::proxy_authen_name, 0, kMax, true, false},
    {A::proxy_authen_challenge, 1, kMax, true, false},
    {A::proxy_authen_id, 2, 2, true, false},
    {A::proxy_authen_response, 0, kMax, true, false},
    {A::call_errors, 26, 26, true, true},                // §4.4.6
    {A::accm, 10, 10, true, true},
    {A::random_vector, 1, kMax, false, true},            // §4.4.7 MUST NOT be hidden
    {A::private_group_id, 0, kMax, true, false},
    {A::rx_connect_speed, 4, 4, true, false},
    {A::sequencing_required, 0, 0, false, true},
}};

constexpr std::uint64_t bit(AvpType t) { return std::uint64_t{1} << static_cast<unsigned>(t); }
template <class... T>
constexpr std::uint64_t bits(T... t) { return (bit(t) | ...); }

using M = L2tpMsgType;
// §6.1-§6.16. StopCCN and CDN need only their Result Code (and CDN its session) here: a
// teardown that lacks the Assigned Tunnel ID is still honoured rather than answered with
// another StopCCN.
constexpr std::array<MessageRule, 14> kMessageRules{{
    {M::sccrq, bits(A::message_type, A::protocol_version, A::framing_capabilities, A::host_name, A::assigned_tunnel_id),
     bits(A::bearer_capabilities, A::tie_breaker, A::firmware_revision, A::vendor_name, A::receive_window_size,
          A::challenge, A::random_vector)},
    {M::sccrp, bits(A::message_type, A::protocol_version, A::framing_capabilities, A::host_name, A::assigned_tunnel_id),
     bits(A::bearer_capabilities, A::firmware_revision, A::vendor_name, A::receive_window_size, A::challenge,
          A::challenge_response, A::random_vector)},
    {M::scccn, bits(A::message_type), bits(A::challenge_response, A::random_vector)},
    {M::stopccn, bits(A::message_type, A::result_code), bits(A::assigned_tunnel_id, A::random_vector)},
    {M::hello, bits(A::message_type), bits(A::random_vector)},
    {M::ocrq, bits(A::message_type, A::assigned_session_id, A::call_serial_number, A::minimum_bps, A::maximum_bps,
                   A::bearer_type, A::framing_type, A::called_number),
     bits(A::sub_address, A::random_vector)},
    {M::ocrp, bits(A::message_type, A::assigned_session_id), bits(A::physical_channel_id, A::random_vector)},
    {M::occn, bits(A::message_type, A::tx_connect_speed, A::framing_type),
     bits(A::rx_connect_speed, A::sequencing_required, A::random_vector)},
    {M::icrq, bits(A::message_type, A::assigned_session_id, A::call_serial_number),
     bits(A::bearer_type, A::physical_channel_id, A::calling_number, A::called_number, A::sub_address,
          A::random_vector)},
    {M::icrp, bits(A::message_type, A::assigned_session_id), bits(A::random_vector)},
    {M::iccn, bits(A::message_type, A::tx_connect_speed, A::framing_type),
     bits(A::initial_received_lcp_confreq, A::last_sent_lcp_confreq, A::last_received_lcp_confreq,
          A::proxy_authen_type, A::proxy_authen_name, A::proxy_authen_challenge, A::proxy_authen_id,
          A::proxy_authen_response, A::private_group_id, A::rx_connect_speed, A::sequencing_required,
          A::random_vector)},
    {M::cdn, bits(A::message_type, A::result_code, A::assigned_session_id), bits(A::q931_cause_code, A::random_vector)},
    {M::wen, bits(A::message_type, A::call_errors), bits(A::random_vector)},
    {M::sli, bits(A::message_type, A::accm), bits(A::random_vector)},
}};

}  // namespace

const AvpRule* avp_rule(AvpType t) {
  for (const auto& r : kAvpRules)
    if (r.type == t) return &r;
  return nullptr;
}

const MessageRule* message_rule(L2tpMsgType t) {
  for (const auto& r : kMessageRules)
    if (r.type == t) return &r;
  return nullptr;
}

std::string describe(const ResultCodeValue& rc, bool stopccn) {
  auto text = [&](std::uint16_t v) {
    return stopccn ? name(static_cast<StopCcnResult>(v)) : name(static_cast<CdnResult>(v));
  };
  std::string s = fmt::format("result {} ({})", rc.result, text(rc.result));
  // user-asks #12: some Apple clients send the Result Code little-endian.
  const auto swapped = static_cast<std::uint16_t>((rc.result >> 8) | (rc.result << 8));
  if (rc.result > 0xFF && text(swapped).front() != '<') s += fmt::format(" [byte-swapped {}?]", swapped);
  if (rc.error) s += fmt::format(", error {} ({})", *rc.error, name(static_cast<L2tpErrorCode>(*rc.error)));
  if (!rc.message.empty()) {
    std::string msg;
    for (char c : rc.message) msg.push_back(c >= 0x20 && c < 0x7F ? c : '?');  // peer text, made printable
    s += fmt::format(": \"{}\"", msg);
  }
  return s;
}

}  // namespace ipseckit::wire
