// Payloads to JSON for `ikeview decode` (describe.h). Names come from the wire registries.
#include "ike/describe.h"

#include <fmt/format.h>

#include "wire/isakmp_attributes.h"
#include "wire/isakmp_vendor.h"

namespace ipseckit::ike {

namespace isakmp = wire::isakmp;
using Json = DescribeJson;

namespace {

std::string hex(ByteView b) { return to_hex(b); }

// Text from the wire, safe for a terminal and for JSON (as IdPayload::str cleans it).
std::string printable(std::string_view t) {
  std::string clean;
  for (const char c : t) clean.push_back(c >= 0x20 && c < 0x7F ? c : '?');
  return clean;
}

std::string hex(const isakmp::Cookie& c) { return to_hex(ByteView(c.data(), c.size())); }

// A basic attribute's value named by its registry, else the number.
template <class E>
Json named(std::uint16_t v) {
  return isakmp::to_string(static_cast<E>(v));
}

Json attr_value(isakmp::ProtocolId protocol, const isakmp::DataAttribute& a) {
  if (!a.tv) {
    auto n = a.as_number();
    if (n && a.value.size() <= 8) return *n;
    return fmt::format("({} bytes)", a.value.size());
  }
  const std::uint16_t v = a.short_value;
  if (protocol == isakmp::ProtocolId::isakmp) {  // RFC 2409 appendix A
    switch (static_cast<isakmp::IkeAttr>(a.type)) {
      case isakmp::IkeAttr::encryption: return named<isakmp::IkeEncryption>(v);
      case isakmp::IkeAttr::hash: return named<isakmp::IkeHash>(v);
      case isakmp::IkeAttr::auth_method: return named<isakmp::IkeAuthMethod>(v);
      case isakmp::IkeAttr::group_description: return named<isakmp::GroupDescription>(v);
      case isakmp::IkeAttr::group_type: return named<isakmp::GroupType>(v);
      case isakmp::IkeAttr::life_type: return named<isakmp::LifeType>(v);
      default: return v;
    }
  }
  switch (static_cast<isakmp::IpsecAttr>(a.type)) {  // RFC 2407 4.5
    case isakmp::IpsecAttr::sa_life_type: return named<isakmp::LifeType>(v);
    case isakmp::IpsecAttr::group_description: return named<isakmp::GroupDescription>(v);
    case isakmp::IpsecAttr::encapsulation_mode: return named<isakmp::EncapsulationMode>(v);
    case isakmp::IpsecAttr::auth_algorithm: return named<isakmp::AuthAlgorithm>(v);
    default: return v;
  }
}

std::string transform_id(isakmp::ProtocolId p, std::uint8_t id) {
  switch (p) {
    case isakmp::ProtocolId::isakmp: return isakmp::to_string(static_cast<isakmp::IsakmpTransformId>(id));
    case isakmp::ProtocolId::ah: return isakmp::to_string(static_cast<isakmp::AhTransformId>(id));
    case isakmp::ProtocolId::esp: return isakmp::to_string(static_cast<isakmp::EspTransformId>(id));
    case isakmp::ProtocolId::ipcomp: return isakmp::to_string(static_cast<isakmp::IpcompTransformId>(id));
    default: return isakmp::unknown_name(id);
  }
}

Json sa(const isakmp::SaPayload& s) {
  Json ps = Json::array();
  for (const auto& p : s.proposals) {
    Json ts = Json::array();
    for (const auto& t : p.transforms) {
      Json as = Json::array();
      for (const auto& a : t.attributes) as.push_back(describe_attribute(p.protocol, a));
      ts.push_back({{"number", t.number}, {"id", transform_id(p.protocol, t.id)}, {"attributes", as}});
    }
    ps.push_back({{"number", p.number},
                  {"protocol", isakmp::to_string(p.protocol)},
                  {"spi", hex(p.spi)},
                  {"transforms", ts}});
  }
  return {{"doi", isakmp::to_string(s.doi)},
          {"situation", isakmp::to_string(static_cast<isakmp::Situation>(s.situation))},
          {"proposals", ps}};
}

Json notify(const isakmp::NotifyPayload& n) {
  Json o{{"notify", isakmp::to_string(n.type)},
         {"code", static_cast<unsigned>(n.type)},
         {"protocol", isakmp::to_string(n.protocol)},
         {"spi", hex(n.spi)},
         {"data_length", n.data.size()}};
  // RFC 3706 5: the DPD sequence number is the notification data
  if ((n.type == isakmp::NotifyType::dpd_r_u_there || n.type == isakmp::NotifyType::dpd_r_u_there_ack) &&
      n.data.size() == 4)
    o["sequence"] = (std::uint32_t{n.data[0]} << 24) | (std::uint32_t{n.data[1]} << 16) |
                    (std::uint32_t{n.data[2]} << 8) | n.data[3];
  return o;
}

Json body(const isakmp::Payload& p) {
  return std::visit(
      [](const auto& b) -> Json {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, isakmp::SaPayload>) {
          return sa(b);
        } else if constexpr (std::is_same_v<T, isakmp::KePayload>) {
          return {{"length", b.data.size()}};
        } else if constexpr (std::is_same_v<T, isakmp::IdPayload>) {
          Json o{{"id_type", isakmp::to_string(b.type)}, {"protocol", b.protocol}, {"port", b.port},
                 {"text", b.str()}};
          if (auto a = b.as_address()) o["value"] = a->str();
          else if (auto s = b.as_subnet()) o["value"] = s->str();
          else if (auto r = b.as_range()) o["value"] = r->first.str() + "-" + r->second.str();
          else if (auto t = b.as_text()) o["value"] = printable(*t);
          return o;
        } else if constexpr (std::is_same_v<T, isakmp::CertPayload>) {
          return {{"encoding", isakmp::to_string(b.encoding)}, {"length", b.data.size()}};
        } else if constexpr (std::is_same_v<T, isakmp::CrPayload>) {
          return {{"encoding", isakmp::to_string(b.type)}, {"length", b.authority.size()}};
        } else if constexpr (std::is_same_v<T, isakmp::HashPayload> || std::is_same_v<T, isakmp::SigPayload> ||
                             std::is_same_v<T, isakmp::NoncePayload>) {
          return {{"length", b.data.size()}};
        } else if constexpr (std::is_same_v<T, isakmp::NotifyPayload>) {
          return notify(b);
        } else if constexpr (std::is_same_v<T, isakmp::DeletePayload>) {
          Json spis = Json::array();
          for (const auto& s : b.spis) spis.push_back(hex(s));
          return {{"protocol", isakmp::to_string(b.protocol)}, {"spis", spis}};
        } else if constexpr (std::is_same_v<T, isakmp::VendorIdPayload>) {
          return {{"vendor", isakmp::describe_vendor_id(b.data)}, {"hex", hex(b.data)}};
        } else if constexpr (std::is_same_v<T, isakmp::NatDPayload>) {
          return {{"length", b.hash.size()}, {"hash", hex(b.hash)}};
        } else if constexpr (std::is_same_v<T, isakmp::NatOaPayload>) {
          return {{"address", b.address.str()}};
        } else if constexpr (std::is_same_v<T, isakmp::FragmentPayload>) {
          return {{"fragment_id", b.id}, {"number", b.number}, {"last", b.last()}, {"length", b.data.size()}};
        } else {
          return {{"length", b.data.size()}};
        }
      },
      p.body);
}

}  // namespace

Json describe_attribute(isakmp::ProtocolId protocol, const isakmp::DataAttribute& a) {
  const std::string name = protocol == isakmp::ProtocolId::isakmp
                               ? isakmp::to_string(static_cast<isakmp::IkeAttr>(a.type))
                               : isakmp::to_string(static_cast<isakmp::IpsecAttr>(a.type));
  return {{"name", name}, {"value", attr_value(protocol, a)}};
}

Json describe_header(const isakmp::Header& h) {
  Json fl = Json::array();
  if (h.flags & isakmp::flags::encryption) fl.push_back("encryption");
  if (h.flags & isakmp::flags::commit) fl.push_back("commit");
  if (h.flags & isakmp::flags::auth_only) fl.push_back("auth_only");
  return {{"cky_i", hex(h.initiator_cookie)},
          {"cky_r", hex(h.responder_cookie)},
          {"exchange", isakmp::to_string(h.exchange)},
          {"next_payload", isakmp::to_string(h.next_payload)},
          {"version", fmt::format("{}.{}", h.major_version, h.minor_version)},
          {"flags", fl},
          {"message_id", fmt::format("{:08x}", h.message_id)},
          {"length", h.length}};
}

Json describe_payloads(const std::vector<isakmp::Payload>& payloads) {
  Json out = Json::array();
  for (const auto& p : payloads) {
    Json o = body(p);
    o["type"] = isakmp::to_string(p.type);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace ipseckit::ike
