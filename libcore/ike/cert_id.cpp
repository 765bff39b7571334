#include "ike/cert_id.h"

#include <string_view>

#include "crypto/x509.h"

namespace ipseckit::ike {

bool cert_matches_id(ByteView cert, const wire::isakmp::IdPayload& id) {
  namespace x509 = crypto::x509;
  using wire::isakmp::IdType;
  if (id.type == IdType::der_asn1_dn) {
    auto s = x509::subject_der(cert);
    return s && *s == id.data;
  }
  if (const auto a = id.as_address()) {
    const auto& b = a->bytes();
    return x509::names_ip(cert, ByteView(b.data(), a->is_v4() ? 4 : 16));
  }
  if (id.type == IdType::fqdn)
    return x509::names_dns(cert, std::string_view(reinterpret_cast<const char*>(id.data.data()), id.data.size()));  // NOLINT
  return false;
}

}  // namespace ipseckit::ike
