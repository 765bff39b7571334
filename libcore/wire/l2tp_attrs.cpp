#include "wire/l2tp_attrs.h"

#include <fmt/format.h>

#include "wire/l2tp_attrs_fields.h"

namespace ipseckit::wire {
namespace {

Error refuse(std::string code, std::string what, L2tpErrorCode err) {
  return Error::make(std::move(code), std::move(what), l2tp_proto(2, static_cast<std::uint16_t>(err)));
}

std::string avp_label(const Avp& a) {
  if (a.vendor != 0) return fmt::format("vendor {} attribute {}", a.vendor, a.type);
  return fmt::format("AVP {} ({})", a.type, name(static_cast<AvpType>(a.type)));
}

// §4.1: an AVP is "unrecognized" if its vendor or type is unknown to us or a reserved bit
// is set ("MUST be treated as an unrecognized AVP").
bool recognized(const Avp& a) {
  return a.vendor == 0 && a.reserved == 0 && is_known(static_cast<AvpType>(a.type)) &&
         !a.is(AvpType::message_type) && !a.is(AvpType::random_vector);
}

Result<void> check_values(const L2tpAttrs& at) {
  const bool teardown = at.message_type == L2tpMsgType::stopccn || at.message_type == L2tpMsgType::cdn;
  // §4.4.3: Assigned Tunnel ID and Receive Window Size are non-zero; §4.4.4 same for the
  // Assigned Session ID. A teardown may still name a zero ID (it is honoured regardless).
  if (!teardown && at.assigned_tunnel_id == std::uint16_t{0})
    return l2tp_malformed("Assigned Tunnel ID is 0", L2tpErrorCode::bad_value);
  if (!teardown && at.assigned_session_id == std::uint16_t{0})
    return l2tp_malformed("Assigned Session ID is 0", L2tpErrorCode::bad_value);
  if (at.receive_window_size == std::uint16_t{0})
    return l2tp_malformed("Receive Window Size is 0", L2tpErrorCode::bad_value);
  return {};
}

std::uint64_t present_bits(const L2tpAttrs& at) {
  std::uint64_t b = std::uint64_t{1} << static_cast<unsigned>(AvpType::message_type);
  detail::visit_avp_fields(at, [&](AvpType t, const auto& f) {
    if (f) b |= std::uint64_t{1} << static_cast<unsigned>(t);
  });
  return b;
}

}  // namespace

Result<L2tpAttrs> decode_attrs(const std::vector<Avp>& avps, const AvpSecret& secret) {
  L2tpAttrs at;
  if (avps.empty()) return at;  // ZLB
  // §4.1: "The Message Type AVP ... MUST be the first AVP in a message". It cannot be hidden.
  const Avp& first = avps.front();
  if (!first.is(AvpType::message_type) || first.hidden || first.reserved != 0)
    return l2tp_malformed("the first AVP is " + avp_label(first) + ", not an unhidden Message Type",
                          L2tpErrorCode::bad_value);
  if (first.value.size() != 2) return l2tp_malformed(fmt::format("Message Type of {} bytes", first.value.size()));
  const auto type = static_cast<L2tpMsgType>((first.value[0] << 8) | first.value[1]);
  if (!is_known(type)) {
    // §3.2 / §4.4.1: an unknown message type with M set clears the tunnel; without M the
    // message is ignored.
    if (first.mandatory)
      return refuse("l2tp.unknown_mandatory", "unknown message type " + name(type) + " with the M bit",
                    L2tpErrorCode::unknown_mandatory);
    at.message_type = type;
    return at;
  }
  at.message_type = type;
  ByteView rv;
  for (std::size_t i = 1; i < avps.size(); ++i) {
    const Avp& a = avps[i];
    if (a.is(AvpType::message_type)) return l2tp_malformed("a second Message Type AVP", L2tpErrorCode::bad_value);
    if (a.is(AvpType::random_vector) && a.reserved == 0) {
      // §4.3: the RV applies to every hidden AVP after it, up to the next RV.
      if (a.hidden) return l2tp_malformed("hidden Random Vector", L2tpErrorCode::bad_value);
      if (a.value.empty()) return l2tp_malformed("empty Random Vector");
      rv = a.value;
      at.random_vector = a.value;
      continue;
    }
    if (!recognized(a)) {
      if (a.mandatory)
        return refuse("l2tp.unknown_mandatory", "unrecognized " + avp_label(a) + " with the M bit in " + name(type),
                      L2tpErrorCode::unknown_mandatory);
      at.passed_over.push_back(a);
      continue;
    }
    const auto t = static_cast<AvpType>(a.type);
    Bytes unhidden;
    ByteView value = a.value;
    if (a.hidden) {
      if (secret.md5 == nullptr)
        return refuse("l2tp.hidden", "hidden AVP " + name(t) + " but no tunnel secret", L2tpErrorCode::vendor_error);
      auto r = unhide_avp_value(a.type, a.value, secret.secret, rv, secret.md5);
      if (!r) return r.error();
      unhidden = std::move(r.value());
      value = unhidden;
      at.were_hidden.push_back(t);
    }
    const AvpRule* rule = avp_rule(t);
    if (rule == nullptr || value.size() < rule->min_len || value.size() > rule->max_len)
      return l2tp_malformed(fmt::format("{} of {} bytes (expected {}..{}) in {}", name(t), value.size(),
                                        rule ? rule->min_len : 0, rule ? rule->max_len : 0, name(type)));
    std::optional<Error> err;
    detail::visit_avp_fields(at, [&](AvpType ft, auto& field) {
      if (ft != t || err) return;
      if (field) {
        err = l2tp_malformed("duplicate " + name(t) + " in " + name(type), L2tpErrorCode::bad_value);
        return;
      }
      ByteReader r(value, name(t));
      field.emplace();
      if (!detail::decode_value(r, *field))
        err = l2tp_malformed(fmt::format("{} of {} bytes is malformed", name(t), value.size()));
    });
    if (err) return *err;
  }
  IPSECKIT_TRY(check_values(at));
  if (const MessageRule* rule = message_rule(type)) {
    const std::uint64_t missing = rule->required & ~present_bits(at);
    if (missing != 0) {
      std::string names;
      for (unsigned b = 0; b < 64; ++b)
        if (missing & (std::uint64_t{1} << b)) names += (names.empty() ? "" : ", ") + name(static_cast<AvpType>(b));
      return refuse("l2tp.missing_avp", name(type) + " without the required " + names, L2tpErrorCode::bad_value);
    }
  }
  return at;
}

Result<std::vector<Avp>> encode_attrs(const L2tpAttrs& at, const AvpHiding* hiding) {
  std::vector<Avp> out;
  if (!at.message_type) return out;  // ZLB
  const auto mt = static_cast<std::uint16_t>(*at.message_type);
  out.push_back(Avp{true, false, 0, 0, static_cast<std::uint16_t>(AvpType::message_type),
                    Bytes{static_cast<std::uint8_t>(mt >> 8), static_cast<std::uint8_t>(mt)}});
  const bool hide_any = hiding != nullptr && !hiding->hide.empty();
  if (hide_any) {
    if (hiding->secret.secret.empty() || hiding->secret.md5 == nullptr || hiding->random_vector.empty())
      return Error::make("l2tp.hidden", "hiding AVPs needs a tunnel secret and a Random Vector");
    out.push_back(Avp{true, false, 0, 0, static_cast<std::uint16_t>(AvpType::random_vector), hiding->random_vector});
  }
  std::optional<Error> err;
  detail::visit_avp_fields(at, [&](AvpType t, const auto& field) {
    if (!field || err) return;
    const AvpRule* rule = avp_rule(t);
    ByteWriter w;
    detail::encode_value(w, *field);
    Avp a{rule->mandatory, false, 0, 0, static_cast<std::uint16_t>(t), w.take()};
    bool hide = false;
    if (hide_any && rule->may_hide)
      for (AvpType h : hiding->hide) hide = hide || h == t;
    if (hide) {
      const Bytes pad = hiding->padding ? hiding->padding(t) : Bytes{};
      auto hidden = hide_avp_value(a.type, a.value, hiding->secret.secret, hiding->random_vector, pad, hiding->secret.md5);
      if (!hidden) {
        err = hidden.error();
        return;
      }
      a.value = std::move(hidden.value());
      a.hidden = true;
    }
    if (a.value.size() > kAvpMaxValue) {
      err = Error::make("l2tp.length", fmt::format("{} of {} bytes does not fit an AVP", name(t), a.value.size()));
      return;
    }
    out.push_back(std::move(a));
  });
  if (err) return *err;
  return out;
}

}  // namespace ipseckit::wire
