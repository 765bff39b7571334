// Fuzz target: an ID payload body (RFC 2407 4.6.2). Properties: parse -> write is byte-exact;
// the typed accessors agree with the type (an address type always yields its address, a
// subnet a prefix whose address has no host bits), and str() never crashes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "wire/isakmp_id.h"

using namespace ipseckit;
using namespace ipseckit::wire;
using namespace ipseckit::wire::isakmp;

namespace {
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "isakmp_id: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in(data, size);
  auto id = parse_id(in);
  if (!id.ok()) {
    if (id.error().proto != 16 && id.error().proto != 18) fail("unexpected notify type");
    return 0;
  }
  ByteWriter w;
  write_id(w, *id);
  if (w.data() != Bytes(in.begin(), in.end())) fail("parse -> write is not byte-exact");
  (void)id->str();
  switch (id->type) {
    case IdType::ipv4_addr:
    case IdType::ipv6_addr:
      if (!id->as_address() || !id->as_subnet() || !id->as_subnet()->is_host()) fail("address ID without address");
      if (IdPayload::address(*id->as_address(), id->protocol, id->port) != *id) fail("address ID does not rebuild");
      break;
    case IdType::ipv4_subnet:
    case IdType::ipv6_subnet: {
      const auto s = id->as_subnet();
      if (!s || s->addr != s->addr.masked(s->len)) fail("subnet ID without a clean prefix");
      break;
    }
    case IdType::ipv4_range:
    case IdType::ipv6_range:
      if (!id->as_range()) fail("range ID without a range");
      break;
    case IdType::fqdn:
    case IdType::user_fqdn:
      if (!id->as_text() || id->as_text()->size() != id->data.size()) fail("name ID without text");
      break;
    default:
      if (id->as_address() || id->as_range() || id->as_text()) fail("opaque ID with a typed view");
  }
  return 0;
}
