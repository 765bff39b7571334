// Tunnel authentication (RFC 2661 §4.2 Challenge Response, §5.1.1): a CHAP-like exchange
// during control connection setup,
//   response = MD5(ID | shared secret | challenge)
// where ID is the Message Type of the message carrying the response (2 in SCCRP, 3 in SCCCN).
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.h"
#include "wire/l2tp_types.h"

namespace ipseckit::l2tp {

using ChallengeResponse = std::array<std::uint8_t, 16>;

ChallengeResponse challenge_response(wire::L2tpMsgType carried_in, ByteView secret, ByteView challenge);
// Constant-time check of a received response.
bool check_challenge_response(wire::L2tpMsgType carried_in, ByteView secret, ByteView challenge, ByteView response);

}  // namespace ipseckit::l2tp
