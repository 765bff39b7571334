#include "policy/ipsecpol_errors.h"

#include <fmt/format.h>

namespace ipseckit::policy {

std::string_view t2p_text(T2p id) {
  // Literal texts of t2pmsgs.mc (XP SP1 ipseccmd), typos included.
  switch (id) {
    case T2p::passthru_not_closed:
      return "pass-thru filter indicated but not closed properly";
    case T2p::drop_not_closed:
      return "Drop filter indicated but not closed properly";
    case T2p::no_src_dest_token:
      return "Source and Dest address are not separated by a designated character";
    case T2p::dns_lookup_failed:
      return "DNS name lookup failed.";
    case T2p::invalid_addr:
      return "Invalid IPv4 notation for address.";
    case T2p::invalid_protocol:
      return "A string was used to designate protocol and it was not supported.";
    case T2p::invalid_p2_rekey_unit:
      return "The unit for phase 2 rekey time is invalid.";
    case T2p::invalid_hash_alg:
      return "Designated hash algorithm for AH is either invalid or not supported.";
    case T2p::general_parse_error:
      return "An undefined parse error occured due to unsupported/invalid syntax.";
    case T2p::dup_algs:
      return "A general parse error occured, you may have indicated two hash or crypt algorithms.";
    case T2p::none_none:
      return "ESP with NULL encryption and NULL authentication is not currently supported.";
    case T2p::incomplete_esp_algs:
      return "Parse error, ESP requires an auth and crypt algorigthm.";
    case T2p::invalid_ipsec_prot:
      return "Invalid IPSec protocol specified.";
    case T2p::no_preshared_key:
      return "Preshared key indicated, but not supplied.";
    case T2p::invalid_auth_method:
      return "The authentication method specified is invalid or unsupported.";
    case T2p::invalid_p1_group:
      return "Invalid or unsupported DH group specified.";
    case T2p::p1_group_missing:
      return "Oakley group not specified for phase 1 policy.";
    case T2p::invalid_p1_rekey_unit:
      return "The unit for phase 1 rekey time is invalid.";
    case T2p::invalid_storage_info:
      return "The TYPE of storage is not supported.";
    case T2p::no_dest_addr:
      return "No destination address specified";
    case T2p::p2_rekey_too_low:
      return "The minimum rekey for Phase 2 is 20480 KB and 300 seconds.";
  }
  return "<unknown message>";
}

Error t2p_error(T2p id, std::string_view detail, int position) {
  const auto code = static_cast<unsigned>(id);
  return Error::make("usage", fmt::format("Error 0x{:x} occurred: {}", code, detail), static_cast<std::int64_t>(code),
                     position);
}

Error usage_error(std::string message, int position) {
  return Error::make("usage", std::move(message), 0, position);
}

std::string cite(std::string_view token, int position) {
  if (position < 0) return fmt::format("\"{}\"", token);
  return fmt::format("\"{}\" (argument {})", token, position);
}

}  // namespace ipseckit::policy
