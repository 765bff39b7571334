// Human- and machine-readable descriptions of ISAKMP messages (`ikeview decode`): the header
// and each payload with its important fields by name (RFC 2408 3.1-3.16, RFC 2407 4.4-4.6,
// RFC 2409 appendix A, RFC 3947 NAT-D/NAT-OA, the fragment payload), as JSON objects, and a
// text rendering of those objects. Never throws on any payload the codecs decoded.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "wire/isakmp_message.h"

namespace ipseckit::ike {

using DescribeJson = nlohmann::json;

// {"cky_i","cky_r","exchange","next_payload","version","flags":[...],"message_id","length"}
DescribeJson describe_header(const wire::isakmp::Header& h);
// One object per payload: {"type":"SA", ...fields}. SA transforms list their attributes by
// name with values named by the registry of the proposal's protocol.
DescribeJson describe_payloads(const std::vector<wire::isakmp::Payload>& payloads);
// A name for one SA attribute of a transform of `protocol`: {"name","value"}.
DescribeJson describe_attribute(wire::isakmp::ProtocolId protocol, const wire::isakmp::DataAttribute& a);

// The text form of one message object as ikeview decode prints it (header line first, then
// one indented line per payload and per proposal/transform); ends with a newline.
std::string render_message(const DescribeJson& m);
// One line of JSON; invalid UTF-8 (never produced by the functions above) is replaced.
std::string dump_json(const DescribeJson& m);

}  // namespace ipseckit::ike
