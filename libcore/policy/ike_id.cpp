#include "policy/ike_id.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace ipseckit::policy {

namespace isakmp = wire::isakmp;

namespace {

constexpr std::string_view kForms = "an IP address, fqdn:NAME or user_fqdn:USER@NAME";

bool hostname_ok(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

}  // namespace

Result<isakmp::IdPayload> parse_ike_id(std::string_view text) {
  if (auto a = wire::IpAddr::parse(text)) return isakmp::IdPayload::address(*a);
  const auto colon = text.find(':');
  const std::string_view kind = colon == std::string_view::npos ? std::string_view{} : text.substr(0, colon);
  const std::string_view value = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  if (kind == "fqdn") {
    if (!hostname_ok(value)) return Error::make("invalid", fmt::format("'{}' is not a host name (fqdn:NAME)", text));
    return isakmp::IdPayload::fqdn(value);
  }
  if (kind == "user_fqdn") {
    const auto at = value.find('@');
    if (at == std::string_view::npos || at == 0 || !hostname_ok(value.substr(at + 1)) ||
        value.find_first_of(" \t\r\n") != std::string_view::npos)
      return Error::make("invalid", fmt::format("'{}' is not USER@NAME (user_fqdn:USER@NAME)", text));
    return isakmp::IdPayload::user_fqdn(value);
  }
  return Error::make("invalid", fmt::format("'{}' is not an identity: expected {}", text, kForms));
}

std::string ike_id_text(const isakmp::IdPayload& id) {
  if (auto a = id.as_address()) return a->str();
  if (auto t = id.as_text()) return fmt::format("{}:{}", id.type == isakmp::IdType::fqdn ? "fqdn" : "user_fqdn", *t);
  return id.str();
}

bool ike_id_matches(const isakmp::IdPayload& named, const isakmp::IdPayload& peer) {
  if (named.type != peer.type) return false;
  if (named.as_text()) {
    return std::equal(named.data.begin(), named.data.end(), peer.data.begin(), peer.data.end(),
                      [](std::uint8_t a, std::uint8_t b) { return std::tolower(a) == std::tolower(b); });
  }
  return named.data == peer.data;
}

}  // namespace ipseckit::policy
