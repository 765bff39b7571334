// Fuzz target: the small payload bodies. Byte 0 picks the parser (N, D, NAT-OA, CERT, CR, KE,
// HASH, SIG, NONCE, VID, NAT-D, data attributes), the rest is the body. Property: whatever
// parses writes back byte for byte; errors carry a registered notify type.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "wire/isakmp_attribute.h"
#include "wire/isakmp_error.h"
#include "wire/isakmp_message.h"
#include "wire/isakmp_payloads.h"
#include "wire/isakmp_vendor.h"

using namespace ipseckit;
using namespace ipseckit::wire::isakmp;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "isakmp_payloads: %s\n", what);
  std::abort();
}

constexpr PayloadType kTypes[] = {PayloadType::notify,    PayloadType::del,   PayloadType::nat_oa,
                                  PayloadType::cert,      PayloadType::cr,    PayloadType::ke,
                                  PayloadType::hash,      PayloadType::sig,   PayloadType::nonce,
                                  PayloadType::vendor_id, PayloadType::nat_d, PayloadType::nat_oa_draft};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView body(data + 1, size - 1);
  const std::size_t sel = data[0] % (std::size(kTypes) + 1);
  if (sel == std::size(kTypes)) {
    auto attrs = parse_attributes(body);
    if (!attrs.ok()) return 0;
    for (const auto& a : *attrs) (void)a.as_number();
    ByteWriter w;
    if (!write_attributes(w, *attrs).ok() || w.data() != Bytes(body.begin(), body.end()))
      fail("attributes: parse -> write is not byte-exact");
    return 0;
  }
  auto p = decode_payload(kTypes[sel], 0, body);
  if (!p.ok()) {
    if (!is_known(notify_of(p.error())) || !is_error(notify_of(p.error()))) fail("error without a notify type");
    return 0;
  }
  auto back = encode_body(*p);
  if (!back.ok() || *back != Bytes(body.begin(), body.end())) fail("parse -> write is not byte-exact");
  if (const auto* v = p->as<VendorIdPayload>()) (void)describe_vendor_id(v->data);
  if (const auto* n = p->as<NotifyPayload>()) (void)to_string(n->type);
  return 0;
}
