// Fuzz target: an SA payload body (DOI, situation, proposals, transforms, attributes).
// Properties: parse -> write is byte-exact; every transform can be interpreted without a
// crash; the main-mode and quick-mode selectors never crash, and what they select exists and
// is acceptable (indices in range, the selected transform re-interprets to the same values).
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "wire/isakmp_sa.h"
#include "ike/proposal_select.h"

using namespace ipseckit;
using namespace ipseckit::wire::isakmp;
using namespace ipseckit::ike;
namespace pol = ipseckit::policy;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "isakmp_sa: %s\n", what);
  std::abort();
}

std::vector<pol::MmOffer> mm_offers() {
  std::vector<pol::MmOffer> v;
  for (const auto c : {pol::Cipher::des3, pol::Cipher::aes128, pol::Cipher::aes256})
    for (const auto h : {pol::Integrity::sha1, pol::Integrity::sha256})
      for (const auto g : {pol::DhGroup::modp1024, pol::DhGroup::modp2048, pol::DhGroup::ecp256})
        v.push_back(pol::MmOffer{c, h, g, 28800, 0});
  return v;
}

std::vector<pol::QmOffer> qm_offers() {
  std::vector<pol::QmOffer> v;
  pol::QmOffer o;
  o.esp = pol::EspTransform{pol::Cipher::aes128, pol::Integrity::sha1};
  v.push_back(o);
  o.esp = pol::EspTransform{pol::Cipher::des3, pol::Integrity::md5};
  o.pfs = pol::Pfs{true, pol::DhGroup::none};
  v.push_back(o);
  o.ah = pol::Integrity::sha1;
  o.esp = pol::EspTransform{pol::Cipher::aes_gcm256, pol::Integrity::none};
  o.pfs = pol::Pfs{true, pol::DhGroup::modp2048};
  v.push_back(o);
  o.esp.reset();
  o.pfs = {};
  v.push_back(o);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto kMm = mm_offers();
  static const auto kQm = qm_offers();
  const ByteView in(data, size);
  auto sa = parse_sa(in);
  if (!sa.ok()) return 0;
  ByteWriter w;
  if (!write_sa(w, *sa).ok() || w.data() != Bytes(in.begin(), in.end())) fail("parse -> write is not byte-exact");
  const IkeAuthMethod auth[] = {IkeAuthMethod::psk, IkeAuthMethod::rsa_sig};
  auto mm = select_main_mode(*sa, kMm, auth);
  if (mm.ok()) {
    if (mm->proposal >= sa->proposals.size() || mm->transform >= sa->proposals[mm->proposal].transforms.size() ||
        mm->offer >= kMm.size())
      fail("main-mode selection out of range");
    auto again = interpret_ike(sa->proposals[mm->proposal].transforms[mm->transform]);
    if (!again.ok() || again->group != mm->attrs.group || !mm->attrs.encryption) fail("main-mode selection unstable");
  } else if (mm.error().proto != 14 || mm.error().message.empty()) {
    fail("main-mode failure without NO-PROPOSAL-CHOSEN");
  }
  for (const bool tunnel : {false, true})
    for (const bool nat : {false, true}) {
      auto qm = select_quick_mode(*sa, kQm, QmContext{tunnel, nat, GroupDescription::modp1024});
      if (!qm.ok()) continue;
      if (qm->offer >= kQm.size() || (!qm->ah && !qm->esp)) fail("quick-mode selection empty");
      for (const auto* c : {qm->ah ? &*qm->ah : nullptr, qm->esp ? &*qm->esp : nullptr}) {
        if (!c) continue;
        if (c->proposal >= sa->proposals.size() || c->transform >= sa->proposals[c->proposal].transforms.size())
          fail("quick-mode selection out of range");
        if (sa->proposals[c->proposal].number != qm->proposal_number) fail("quick-mode bundle mixes proposals");
        if (!c->attrs.mode || is_tunnel(*c->attrs.mode) != tunnel || is_udp_encapsulated(*c->attrs.mode) != nat)
          fail("quick-mode selection ignores the mode");
      }
    }
  return 0;
}
