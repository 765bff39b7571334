// Fuzz target: bytes -> the -n / -a / -1s / -1k grammars (first byte % 4 selects), and
// format -> parse round trips of what parses.
#include "policy/ipsecpol_negpolicy.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/ipsecpol_auth.h"
#include "policy/ipsecpol_mainmode.h"

using namespace ipseckit;
using namespace ipseckit::policy;

namespace {

[[noreturn]] void fail(const char* what, const std::string& text) {
  std::fprintf(stderr, "%s: '%s'\n", what, text.c_str());
  std::abort();
}

template <class R>
void check_error(const R& r) {
  if (!r.ok() && (r.error().code != "usage" || r.error().position != 3)) fail("bad error", r.error().message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto n = parse_negpolicy(text, 3);
      check_error(n);
      if (!n || n->kind != NegPolicyKind::offer) break;
      auto s = format_qm_offer(n->offer);
      if (!s) fail("a parsed offer does not format", std::string(text));
      auto back = parse_negpolicy(*s, 3);
      if (!back || !(back->offer == n->offer)) fail("format_qm_offer does not read back", *s);
      break;
    }
    case 1: {
      auto a = parse_auth_method(text, 3);
      check_error(a);
      if (!a) break;
      const std::string w = format_auth_method(*a, true);
      auto back = parse_auth_method(w, 3);
      if (!back || !(*back == *a)) fail("format_auth_method does not read back", w);
      break;
    }
    case 2: {
      auto o = parse_mm_offer(text, 3);
      check_error(o);
      if (!o) break;
      auto s = format_mm_offer(*o);
      if (!s) fail("a parsed main mode offer does not format", std::string(text));
      auto back = parse_mm_offer(*s, 3);
      if (!back || !(*back == *o)) fail("format_mm_offer does not read back", *s);
      break;
    }
    default: {
      check_error(parse_mm_rekey(text, 3));
      check_error(parse_soft_sa_expiry(text, 3));
      break;
    }
  }
  return 0;
}
