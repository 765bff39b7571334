// ISAKMP data attributes (RFC 2408 3.3), the one encoding of every SA attribute of phase 1
// (RFC 2409 appendix A) and phase 2 (RFC 2407 4.5).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace ipseckit::wire::isakmp {

//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !A!       Attribute Type        !    AF=0  Attribute Length     !
// !F!                             !    AF=1  Attribute Value      !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// .                   AF=0  Attribute Value                       .
// .                   AF=1  Not Transmitted                       .
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct DataAttribute {
  std::uint16_t type = 0;         // 15 bits
  bool tv = true;                 // AF=1: Type/Value, the value sits in the header
  std::uint16_t short_value = 0;  // when tv
  Bytes value;                    // when !tv (Type/Length/Value)

  static DataAttribute basic(std::uint16_t type, std::uint16_t v);
  static DataAttribute variable(std::uint16_t type, Bytes v);
  // RFC 2409 appendix A: a variable attribute "MAY be encoded as basic" when it fits in 16
  // bits; otherwise 4 bytes (or 8 when needed), as Windows and strongSwan send lifetimes.
  static DataAttribute number(std::uint16_t type, std::uint64_t v);

  // The value as an unsigned number, whatever its length (RFC 2407 4.5: "SA Life Duration"
  // is variable). A value wider than 64 bits saturates at UINT64_MAX (a lifetime that long
  // is unlimited in practice). nullopt for an empty TLV value.
  std::optional<std::uint64_t> as_number() const;

  friend bool operator==(const DataAttribute&, const DataAttribute&) = default;
};

// Attributes until the end of `data`; errors (PAYLOAD-MALFORMED) name the attribute offset.
Result<std::vector<DataAttribute>> parse_attributes(ByteView data);
// Fails when a type does not fit 15 bits or a TLV value is longer than 65535 bytes.
Status write_attributes(ByteWriter& w, const std::vector<DataAttribute>& attrs);

}  // namespace ipseckit::wire::isakmp
