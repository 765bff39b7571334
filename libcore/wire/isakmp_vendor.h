// Vendor IDs (RFC 2408 3.16) that change what an IKEv1 peer does: NAT-T revisions, DPD,
// fragmentation, the Windows version VID, XAUTH, Cisco Unity, strongSwan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "wire/isakmp_enum.h"

namespace ipseckit::wire::isakmp {

enum class KnownVendor : std::uint8_t {
  nat_t_rfc3947,        // MD5("RFC 3947")
  nat_t_draft_00,       // MD5("draft-ietf-ipsec-nat-t-ike-00")
  nat_t_draft_02,       // MD5("draft-ietf-ipsec-nat-t-ike-02")
  nat_t_draft_02n,      // MD5("draft-ietf-ipsec-nat-t-ike-02\n") (a historical typo kept by all)
  nat_t_draft_03,       // MD5("draft-ietf-ipsec-nat-t-ike-03")
  dpd,                  // RFC 3706 2
  fragmentation,        // MD5("FRAGMENTATION"); strongSwan appends capability bits 80000000
  ms_nt5_isakmpoakley,  // MD5("MS NT5 ISAKMPOAKLEY") + 4-byte Windows version
  ms_initial_contact,   // MD5("Vid-Initial-Contact"), Windows
  xauth,                // draft-ietf-ipsec-isakmp-xauth
  cisco_unity,          // MD5("CISCO-UNITY") with version 1.0
  strongswan,           // MD5("strongSwan")
};
inline constexpr std::array<Named<KnownVendor>, 12> kKnownVendorNames{{
    {KnownVendor::nat_t_rfc3947, "NAT-T (RFC 3947)"},
    {KnownVendor::nat_t_draft_00, "draft-ietf-ipsec-nat-t-ike-00"},
    {KnownVendor::nat_t_draft_02, "draft-ietf-ipsec-nat-t-ike-02"},
    {KnownVendor::nat_t_draft_02n, "draft-ietf-ipsec-nat-t-ike-02\\n"},
    {KnownVendor::nat_t_draft_03, "draft-ietf-ipsec-nat-t-ike-03"},
    {KnownVendor::dpd, "DPD"},
    {KnownVendor::fragmentation, "FRAGMENTATION"},
    {KnownVendor::ms_nt5_isakmpoakley, "MS NT5 ISAKMPOAKLEY"},
    {KnownVendor::ms_initial_contact, "Vid-Initial-Contact"},
    {KnownVendor::xauth, "XAUTH"},
    {KnownVendor::cisco_unity, "Cisco Unity"},
    {KnownVendor::strongswan, "strongSwan"},
}};
template <>
struct EnumTable<KnownVendor> {
  static constexpr const auto& table = kKnownVendorNames;
};

struct VendorInfo {
  KnownVendor vendor;
  std::string_view id_hex;  // the fixed part
  bool prefix;              // more bytes may follow (a version or capability word)
};
inline constexpr std::array<VendorInfo, 12> kVendorIds{{
    {KnownVendor::nat_t_rfc3947, "4a131c81070358455c5728f20e95452f", false},
    {KnownVendor::nat_t_draft_00, "4485152d18b6bbcd0be8a8469579ddcc", false},
    {KnownVendor::nat_t_draft_02, "cd60464335df21f87cfdb2fc68b6a448", false},
    {KnownVendor::nat_t_draft_02n, "90cb80913ebb696e086381b5ec427b1f", false},
    {KnownVendor::nat_t_draft_03, "7d9419a65310ca6f2c179d9215529d56", false},
    {KnownVendor::dpd, "afcad71368a1f1c96b8696fc77570100", false},
    {KnownVendor::fragmentation, "4048b7d56ebce88525e7de7f00d6c2d3", true},
    {KnownVendor::ms_nt5_isakmpoakley, "1e2b516905991c7d7c96fcbfb587e461", true},
    {KnownVendor::ms_initial_contact, "26244d38eddb61b3172a36e3d0cfb819", false},
    {KnownVendor::xauth, "09002689dfd6b712", false},
    {KnownVendor::cisco_unity, "12f5f28c457168a9702d9fe274cc0100", false},
    {KnownVendor::strongswan, "882fe56d6fd20dbc2251613b2ebe5beb", true},
}};

// Which known vendor ID this is, if any.
std::optional<KnownVendor> identify_vendor(ByteView vid);
// The bytes we send for a known vendor ID (FRAGMENTATION without capability bits, as
// Windows sends it; MS NT5 ISAKMPOAKLEY with version 2 = Windows 2000).
Bytes vendor_id_bytes(KnownVendor v);
// "NAT-T (RFC 3947)", "MS NT5 ISAKMPOAKLEY (Windows 2000)", "unknown 1234abcd..." .
std::string describe_vendor_id(ByteView vid);

}  // namespace ipseckit::wire::isakmp
