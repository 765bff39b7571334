// espd's nftables table `inet ipseckit_espd_<tun>` (ARCHITECTURE.md "Data plane", RFC 4301
// §5.2 step 3a-b, §4.4.1 "ANY ... bypass"): inbound enforcement of the SPD. Packets a host
// receives (hooks input and forward) that did not come out of espd's TUN — i.e. were not
// decrypted by espd — are classified against the SPD's specific filters in weight order
// (first match, as the classifier does) and
//   * inbound action negotiate (not inpass, not soft): dropped, counter "clear";
//   * block: dropped, counter "blocked";
//   * permit (and inpass/soft negotiate): accepted.
// Always accepted first: loopback, ESP/AH, IKE and ESP-in-UDP (UDP 500 and the NAT-T port),
// ICMP errors, IPv6 neighbour discovery, IPv6 link-local sources and multicast destinations,
// so that "any" filters never cut the host off (nor the link-scope traffic of IPv6).
// IPv4 datagrams reach hook input already reassembled (ip_local_deliver), so fragments are
// judged as whole datagrams there. IPv6 fragments reach it one by one (the kernel reassembles
// after hook input unless conntrack is loaded): a non-first fragment carries no ports and is
// accepted, the first one (which RFC 7112 requires to hold the upper-layer header) is judged,
// and a datagram whose first fragment was dropped is never reassembled (overlaps are refused,
// RFC 5722). So fragmented ESP-in-UDP over IPv6 gets in, and fragmented clear text does not.
//
// Outbound (hooks output, type route, and prerouting for forwarded traffic): routing sends
// whole destinations into the TUN (table T), which cannot express "me -> any, except this
// permitted peer or port". Packets matching a filter whose outbound action is permit (first
// match, as above), and link-local, multicast and broadcast destinations, get espd's mark M,
// so the rule `not fwmark M lookup T` skips them and they take the main table in clear,
// never entering the TUN; everything else is routed as before.
//
// The table is loaded as one transaction (`nft -f -`: re-declare, delete, declare), removed on
// exit, and a leftover of a crashed run is removed at the next start (same TUN name).
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "policy/spd_types.h"

namespace ipseckit::espd {

struct NftOptions {
  std::string tun;
  std::uint16_t natt_port = 4500;
  std::uint32_t mark = 0;  // espd's routing mark (0: no outbound marking)
};

// The whole ruleset (a script for `nft -f -`); spd may be null (exemptions only).
std::string nft_ruleset(const std::string& table, const NftOptions& opt, const policy::CompiledSpd* spd);
// One filter as an nft match expression ("ip saddr 198.51.100.2 ip daddr ... meta l4proto 17 ...").
std::string nft_match(const policy::SpdFilter& f);

class NftTable {
 public:
  explicit NftTable(NftOptions opt);
  NftTable(const NftTable&) = delete;
  NftTable& operator=(const NftTable&) = delete;
  ~NftTable();

  const std::string& name() const { return m_name; }
  // Removes a leftover table of the same name, then loads the exemptions-only table.
  Status start();
  // Loads the ruleset for spd when it differs from the loaded one.
  Status update(const policy::CompiledSpd* spd);
  // Packets dropped since start (the counters survive reloads here).
  struct Drops {
    std::uint64_t clear = 0, blocked = 0;
  };
  Drops drops();
  void remove();

 private:
  NftOptions m_opt;
  std::string m_name;
  std::string m_loaded;
  Drops m_base;  // counted by tables replaced since start
  bool m_active = false;
};

}  // namespace ipseckit::espd
