// ipseccmd's statistics names, in its order (windows-cli.md §1.10): what `ipsecpol show stats`
// and `netdiag stats` print first from stats/ikeview and stats/espd.
#pragma once

#include <array>
#include <string_view>

namespace ipseckit::tool {

inline constexpr std::array<std::string_view, 22> kIkeStatNames = {
    "Main Modes", "Quick Modes", "Soft SAs", "Authentication Failures", "Active Acquire", "Active Receive",
    "Acquire fail", "Receive fail", "Send fail", "Acquire Heap size", "Receive Heap size", "Negotiation Failures",
    "Invalid Cookies Rcvd", "Total Acquire", "TotalGetSpi", "TotalKeyAdd", "TotalKeyUpdate", "GetSpiFail",
    "KeyAddFail", "KeyUpdateFail", "IsadbListSize", "ConnListSize"};
inline constexpr std::array<std::string_view, 20> kIpsecStatNames = {
    "Active Assoc", "Pending Key", "Key Adds", "Key Deletes", "ReKeys", "Active Tunnels", "Bad SPI Pkts",
    "Pkts not Decrypted", "Pkts not Authenticated", "Pkts with Replay Detection", "Confidential Bytes Sent",
    "Confidential Bytes Received", "Authenticated Bytes Sent", "Authenticated Bytes Received",
    "Offloaded Bytes Sent", "Offloaded Bytes Received", "Bytes Sent In Tunnels", "Bytes Received In Tunnels",
    "Transport Bytes Sent", "Transport Bytes Received"};

}  // namespace ipseckit::tool
