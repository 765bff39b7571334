#include "wire/l2tp_types.h"

#include <array>
#include <utility>

#include "wire/named_table.h"

namespace ipseckit::wire {
namespace {

using names::known;
using names::lookup;
using names::Named;

using M = L2tpMsgType;
constexpr std::array<Named<M>, 14> kMsgTypes{{
    {M::sccrq, "SCCRQ"}, {M::sccrp, "SCCRP"}, {M::scccn, "SCCCN"}, {M::stopccn, "StopCCN"},
    {M::hello, "HELLO"}, {M::ocrq, "OCRQ"},   {M::ocrp, "OCRP"},   {M::occn, "OCCN"},
    {M::icrq, "ICRQ"},   {M::icrp, "ICRP"},   {M::iccn, "ICCN"},   {M::cdn, "CDN"},
    {M::wen, "WEN"},     {M::sli, "SLI"},
}};

using A = AvpType;
constexpr std::array<Named<A>, 39> kAvpTypes{{
    {A::message_type, "Message Type"},
    {A::result_code, "Result Code"},
    {A::protocol_version, "Protocol Version"},
    {A::framing_capabilities, "Framing Capabilities"},
    {A::bearer_capabilities, "Bearer Capabilities"},
    {A::tie_breaker, "Tie Breaker"},
    {A::firmware_revision, "Firmware Revision"},
    {A::host_name, "Host Name"},
    {A::vendor_name, "Vendor Name"},
    {A::assigned_tunnel_id, "Assigned Tunnel ID"},
    {A::receive_window_size, "Receive Window Size"},
    {A::challenge, "Challenge"},
    {A::q931_cause_code, "Q.931 Cause Code"},
    {A::challenge_response, "Challenge Response"},
    {A::assigned_session_id, "Assigned Session ID"},
    {A::call_serial_number, "Call Serial Number"},
    {A::minimum_bps, "Minimum BPS"},
    {A::maximum_bps, "Maximum BPS"},
    {A::bearer_type, "Bearer Type"},
    {A::framing_type, "Framing Type"},
    {A::called_number, "Called Number"},
    {A::calling_number, "Calling Number"},
    {A::sub_address, "Sub-Address"},
    {A::tx_connect_speed, "Tx Connect Speed"},
    {A::physical_channel_id, "Physical Channel ID"},
    {A::initial_received_lcp_confreq, "Initial Received LCP CONFREQ"},
    {A::last_sent_lcp_confreq, "Last Sent LCP CONFREQ"},
    {A::last_received_lcp_confreq, "Last Received LCP CONFREQ"},
    {A::proxy_authen_type, "Proxy Authen Type"},
    {A::proxy_authen_name, "Proxy Authen Name"},
    {A::proxy_authen_challenge, "Proxy Authen Challenge"},
    {A::proxy_authen_id, "Proxy Authen ID"},
    {A::proxy_authen_response, "Proxy Authen Response"},
    {A::call_errors, "Call Errors"},
    {A::accm, "ACCM"},
    {A::random_vector, "Random Vector"},
    {A::private_group_id, "Private Group ID"},
    {A::rx_connect_speed, "Rx Connect Speed"},
    {A::sequencing_required, "Sequencing Required"},
}};

using S = StopCcnResult;
constexpr std::array<Named<S>, 7> kStopCcn{{
    {S::general_clear, "General request to clear control connection"},
    {S::general_error, "General error--Error Code indicates the problem"},
    {S::already_exists, "Control channel already exists"},
    {S::not_authorized, "Requester is not authorized to establish a control channel"},
    {S::bad_protocol_version, "The protocol version of the requester is not supported"},
    {S::shutting_down, "Requester is being shut down"},
    {S::fsm_error, "Finite State Machine error"},
}};

using C = CdnResult;
constexpr std::array<Named<C>, 11> kCdn{{
    {C::lost_carrier, "Call disconnected due to loss of carrier"},
    {C::general_error, "Call disconnected for the reason indicated in error code"},
    {C::admin, "Call disconnected for administrative reasons"},
    {C::no_facilities_temp, "Call failed due to lack of appropriate facilities being available (temporary condition)"},
    {C::no_facilities_perm, "Call failed due to lack of appropriate facilities being available (permanent condition)"},
    {C::invalid_destination, "Invalid destination"},
    {C::no_carrier, "Call failed due to no carrier detected"},
    {C::busy, "Call failed due to detection of a busy signal"},
    {C::no_dial_tone, "Call failed due to lack of a dial tone"},
    {C::not_established, "Call was not established within time allotted by LAC"},
    {C::no_framing, "Call was connected but no appropriate framing was detected"},
}};

using E = L2tpErrorCode;
constexpr std::array<Named<E>, 9> kErrors{{
    {E::none, "No general error"},
    {E::no_control_conn, "No control connection exists yet for this LAC-LNS pair"},
    {E::bad_length, "Length is wrong"},
    {E::bad_value, "One of the field values was out of range or reserved field was non-zero"},
    {E::no_resources, "Insufficient resources to handle this operation now"},
    {E::bad_session_id, "The Session ID is invalid in this context"},
    {E::vendor_error, "A generic vendor-specific error occurred"},
    {E::try_another, "Try another"},
    {E::unknown_mandatory, "Session or tunnel was shutdown due to receipt of an unknown AVP with the M-bit set"},
}};

}  // namespace

std::string name(L2tpMsgType t) { return lookup(kMsgTypes, t); }
std::string name(AvpType t) { return lookup(kAvpTypes, t); }
std::string name(StopCcnResult r) { return lookup(kStopCcn, r); }
std::string name(CdnResult r) { return lookup(kCdn, r); }
std::string name(L2tpErrorCode e) { return lookup(kErrors, e); }
bool is_known(L2tpMsgType t) { return known(kMsgTypes, t); }
bool is_known(AvpType t) { return known(kAvpTypes, t); }

bool is_session_message(L2tpMsgType t) {
  switch (t) {
    case M::ocrq: case M::ocrp: case M::occn: case M::icrq: case M::icrp: case M::iccn:
    case M::cdn: case M::wen: case M::sli:
      return true;
    default:
      return false;
  }
}

Error l2tp_malformed(std::string what, L2tpErrorCode err) {
  return Error::make("l2tp.malformed", std::move(what), l2tp_proto(2, static_cast<std::uint16_t>(err)));
}

}  // namespace ipseckit::wire
