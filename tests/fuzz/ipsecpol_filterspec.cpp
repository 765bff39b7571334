// Fuzz target: bytes -> parse_filterspec (first byte: bit 0 main mode (-1f), bit 1 keep
// every DNS address). Beyond "no crash, no sanitizer report" it checks that a parsed filter
// that format_filterspec can write parses back to the same filter.
#include "policy/ipsecpol_filterspec.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace ipseckit;
using namespace ipseckit::policy;

namespace {

// Deterministic, offline: most names resolve to one to three addresses (some IPv6), names
// whose bytes sum to a multiple of 5 do not resolve.
std::vector<wire::IpAddr> resolve(const std::string& name) {
  unsigned sum = 0;
  for (char c : name) sum += static_cast<unsigned char>(c);
  std::vector<wire::IpAddr> out;
  if (sum % 5 == 0) return out;
  for (unsigned i = 0; i <= sum % 3; ++i) out.push_back(wire::IpAddr::v4(0xC6336400u + ((sum + i) & 0xffu)));
  if (sum % 7 == 0) out.push_back(*wire::IpAddr::parse("2001:db8::7"));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  FilterSpecContext ctx;
  ctx.resolver = resolve;
  ctx.main_mode = (data[0] & 1) != 0;
  ctx.dns = (data[0] & 2) != 0 ? DnsResolution::all : DnsResolution::first;
  ctx.position = 1;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto f = parse_filterspec(text, ctx);
  if (!f) {
    if (f.error().code != "usage" || f.error().proto == 0 || f.error().position != 1) {
      std::fprintf(stderr, "bad error: %s\n", f.error().message.c_str());
      std::abort();
    }
    return 0;
  }
  if (f->is_default) return 0;
  auto s = format_filterspec(f->filter);
  if (!s) return 0;
  FilterSpecContext again = ctx;
  again.main_mode = false;
  auto g = parse_filterspec(*s, again);
  if (!g || !(g->filter == f->filter)) {
    std::fprintf(stderr, "format_filterspec does not read back: '%s'\n", s->c_str());
    std::abort();
  }
  (void)format_tunnel_endpoint(f->filter.dst);
  return 0;
}
