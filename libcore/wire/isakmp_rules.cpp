#include "wire/isakmp_rules.h"

#include <array>

#include <fmt/format.h>

#include "wire/isakmp_error.h"

namespace ipseckit::wire::isakmp {
namespace {

using P = PayloadType;

// RFC 2409 5 (Main Mode, pre-shared key / signatures), RFC 3947 3 (NAT-D in MM3/MM4).
constexpr std::array<PayloadRule, 2> kMm12{{
    {P::sa, 1, 1, false},
    {P::vendor_id, 0, kMany, false},
}};
constexpr std::array<PayloadRule, 6> kMm34{{
    {P::ke, 1, 1, false},
    {P::nonce, 1, 1, false},
    {P::cr, 0, kMany, false},
    {P::nat_d, 0, kMany, false},
    {P::nat_d_draft, 0, kMany, false},
    {P::vendor_id, 0, kMany, false},
}};
constexpr std::array<PayloadRule, 7> kMm56{{
    {P::id, 1, 1, true},
    {P::hash, 0, 1, true},
    {P::sig, 0, 1, true},
    {P::cert, 0, kMany, true},
    {P::cr, 0, kMany, true},
    {P::notify, 0, kMany, true},
    {P::vendor_id, 0, kMany, true},
}};
// RFC 2409 5 (Aggressive Mode); NAT-D in AM2/AM3 per RFC 3947 3.2.
constexpr std::array<PayloadRule, 6> kAm1{{
    {P::sa, 1, 1, false},
    {P::ke, 1, 1, false},
    {P::nonce, 1, 1, false},
    {P::id, 1, 1, false},
    {P::cr, 0, kMany, false},
    {P::vendor_id, 0, kMany, false},
}};
constexpr std::array<PayloadRule, 11> kAm2{{
    {P::sa, 1, 1, false},
    {P::ke, 1, 1, false},
    {P::nonce, 1, 1, false},
    {P::id, 1, 1, false},
    {P::hash, 0, 1, false},
    {P::sig, 0, 1, false},
    {P::cert, 0, kMany, false},
    {P::cr, 0, kMany, false},
    {P::nat_d, 0, kMany, false},
    {P::nat_d_draft, 0, kMany, false},
    {P::vendor_id, 0, kMany, false},
}};
constexpr std::array<PayloadRule, 7> kAm3{{
    {P::hash, 0, 1, false},
    {P::sig, 0, 1, false},
    {P::cert, 0, kMany, false},
    {P::nat_d, 0, kMany, false},
    {P::nat_d_draft, 0, kMany, false},
    {P::notify, 0, kMany, false},
    {P::vendor_id, 0, kMany, false},
}};
// RFC 2409 5.5 (Quick Mode), RFC 3947 5.2 (NAT-OA in QM1/QM2, one per side).
constexpr std::array<PayloadRule, 8> kQm12{{
    {P::hash, 1, 1, true},
    {P::sa, 1, 1, true},
    {P::nonce, 1, 1, true},
    {P::ke, 0, 1, true},
    {P::id, 0, 2, true},
    {P::nat_oa, 0, 2, true},
    {P::nat_oa_draft, 0, 2, true},
    {P::notify, 0, kMany, true},
}};
constexpr std::array<PayloadRule, 1> kQm3{{
    {P::hash, 1, 1, true},
}};
// RFC 2409 5.7, RFC 3706 (DPD notifies travel in protected informational exchanges).
constexpr std::array<PayloadRule, 3> kInfo{{
    {P::hash, 1, 1, true},
    {P::notify, 0, kMany, true},
    {P::del, 0, kMany, true},
}};
constexpr std::array<PayloadRule, 3> kInfoPlain{{
    {P::notify, 0, kMany, false},
    {P::del, 0, kMany, false},
    {P::vendor_id, 0, kMany, false},
}};
constexpr std::array<PayloadRule, 1> kFragment{{
    {P::fragment, 1, 1, false},
}};

using E = ExchangeType;
using K = MessageKind;
constexpr std::array<MessageRules, 15> kRules{{
    {K::main_mode_1, "Main Mode message 1", E::main_mode, false, P::none, false, false, kMm12},
    {K::main_mode_2, "Main Mode message 2", E::main_mode, false, P::none, false, false, kMm12},
    {K::main_mode_3, "Main Mode message 3", E::main_mode, false, P::none, false, false, kMm34},
    {K::main_mode_4, "Main Mode message 4", E::main_mode, false, P::none, false, false, kMm34},
    {K::main_mode_5, "Main Mode message 5", E::main_mode, true, P::none, true, false, kMm56},
    {K::main_mode_6, "Main Mode message 6", E::main_mode, true, P::none, true, false, kMm56},
    {K::aggressive_1, "Aggressive Mode message 1", E::aggressive, false, P::none, false, false, kAm1},
    {K::aggressive_2, "Aggressive Mode message 2", E::aggressive, false, P::none, true, false, kAm2},
    {K::aggressive_3, "Aggressive Mode message 3", E::aggressive, false, P::none, true, false, kAm3},
    {K::quick_mode_1, "Quick Mode message 1", E::quick_mode, true, P::hash, false, true, kQm12},
    {K::quick_mode_2, "Quick Mode message 2", E::quick_mode, true, P::hash, false, true, kQm12},
    {K::quick_mode_3, "Quick Mode message 3", E::quick_mode, true, P::hash, false, false, kQm3},
    {K::informational, "Informational", E::informational, true, P::hash, false, false, kInfo},
    {K::informational_plain, "unprotected Informational", E::informational, false, P::none, false, false, kInfoPlain},
    {K::fragment, "IKE fragment", E::none, false, P::fragment, false, false, kFragment},
}};

}  // namespace

const MessageRules& rules_for(MessageKind kind) {
  for (const auto& r : kRules)
    if (r.kind == kind) return r;
  return kRules.front();  // unreachable: every kind has a table
}

Status validate(const MessageRules& rules, const Header& header, std::span<const Payload> payloads) {
  // A fragment may belong to any exchange; everything else must match its exchange type.
  if (rules.kind != MessageKind::fragment && header.exchange != rules.exchange)
    return isakmp_error(NotifyType::invalid_exchange_type,
                        fmt::format("{}: exchange type {}", rules.name, header.exchange));
  if (rules.encrypted && !header.encrypted())
    return isakmp_error(NotifyType::invalid_flags, fmt::format("{} must be encrypted", rules.name));
  std::array<std::size_t, 256> counts{};
  for (const auto& p : payloads) {
    if (!is_known(p.type) || p.type == P::none)
      return isakmp_error(NotifyType::invalid_payload_type, fmt::format("{}: payload type {}", rules.name, p.type));
    const PayloadRule* rule = nullptr;
    for (const auto& r : rules.rules)
      if (r.type == p.type) rule = &r;
    if (!rule)
      return isakmp_error(NotifyType::invalid_payload_type,
                          fmt::format("{} may not carry a {} payload", rules.name, p.type));
    if (rule->encrypted && !header.encrypted())
      return isakmp_error(NotifyType::invalid_payload_type,
                          fmt::format("{}: {} payload sent without encryption", rules.name, p.type));
    if (++counts[raw(p.type)] > rule->max)
      return isakmp_error(NotifyType::invalid_payload_type,
                          fmt::format("{}: more than {} {} payload{}", rules.name, rule->max, p.type,
                                      rule->max == 1 ? "" : "s"));
  }
  for (const auto& r : rules.rules)
    if (counts[raw(r.type)] < r.min)
      return malformed(fmt::format("{}: {} payload missing", rules.name, r.type));
  // RFC 2409 5.5/5.7: "the HASH payload MUST immediately follow the ISAKMP header".
  if (rules.first != P::none && (payloads.empty() || payloads.front().type != rules.first))
    return malformed(fmt::format("{}: the first payload must be {}", rules.name, rules.first));
  if (rules.one_auth && counts[raw(P::hash)] + counts[raw(P::sig)] != 1)
    return malformed(fmt::format("{}: needs exactly one HASH or SIG payload, has {} and {}", rules.name,
                                 counts[raw(P::hash)], counts[raw(P::sig)]));
  // RFC 2409 5.5: "If ID's are exchanged, then both IDci and IDcr MUST be sent".
  if (rules.id_pairs && counts[raw(P::id)] == 1)
    return malformed(fmt::format("{}: a client ID without its peer (IDci and IDcr come as a pair)", rules.name));
  return {};
}

}  // namespace ipseckit::wire::isakmp
