// Errors of the ipsecpol/ipseccmd grammars (windows-cli.md §1.11).
//
// Every grammar error is an ipseckit::Error with code "usage". Where ipseccmd's text2pol
// message table (t2pmsgs.mc, facility 0xBBB) has an entry, Error::proto carries its id and
// the message starts like ipseccmd's own output, "Error 0x<id> occurred: ", followed by what
// is wrong, the offending token in quotes and its position: e.g.
//   Error 0x5 occurred: source and destination of filter "10.1.1.1-10.2.2.2" (argument 2)
//   are not separated by '=' or '+'
// Error::position is the argument's index as C's argv counts it: the program name is 0, so
// the first element of the argument vector handed to the parser is 1 ("argument 1").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ipseckit::policy {

// text2pol message ids (t2pmsgs.mc).
enum class T2p : std::uint16_t {
  passthru_not_closed = 0x3,
  drop_not_closed = 0x4,
  no_src_dest_token = 0x5,
  dns_lookup_failed = 0x7,
  invalid_addr = 0x8,
  invalid_protocol = 0x9,
  invalid_p2_rekey_unit = 0xa,
  invalid_hash_alg = 0xb,
  general_parse_error = 0xc,
  dup_algs = 0xd,
  none_none = 0xe,
  incomplete_esp_algs = 0xf,
  invalid_ipsec_prot = 0x10,
  no_preshared_key = 0x11,
  invalid_auth_method = 0x12,
  invalid_p1_group = 0x14,
  p1_group_missing = 0x15,
  invalid_p1_rekey_unit = 0x16,
  invalid_storage_info = 0x17,
  no_dest_addr = 0x1a,
  p2_rekey_too_low = 0x1b,
};

// The literal text of the message table entry, e.g. "DNS name lookup failed.".
std::string_view t2p_text(T2p id);

// Error{code "usage", "Error 0x<id> occurred: " + detail, proto = id, position}.
// The id is printed with printf's "%x", as ipseccmd does ("0x1b", "0xa").
Error t2p_error(T2p id, std::string_view detail, int position);

// A literal message with no message id ("Unknown flag: -q"), code "usage".
Error usage_error(std::string message, int position = -1);

// How messages cite a token: "\"<token>\" (argument N)", or just the quoted token when the
// position is unknown (< 0).
std::string cite(std::string_view token, int position);

}  // namespace ipseckit::policy
