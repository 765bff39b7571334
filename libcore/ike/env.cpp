#include "ike/env.h"

#include "crypto/x509.h"

namespace ipseckit::ike {
namespace {

class DhKey final : public KeyExchange {
 public:
  explicit DhKey(crypto::DhGroup g) : m_group(std::move(g)) {}
  crypto::DhGroupId group() const override { return m_group.id(); }
  ByteView public_value() const override { return m_group.public_value(); }
  Result<SecureBytes> shared_secret(ByteView peer) const override { return m_group.shared_secret(peer); }

 private:
  crypto::DhGroup m_group;
};

}  // namespace

TimePoint SystemClock::now() const { return std::chrono::steady_clock::now(); }

void OsRng::fill(std::span<std::uint8_t> out) { m_pool.fill(out.data(), out.size()); }

Result<std::unique_ptr<KeyExchange>> OpenSslDh::create(crypto::DhGroupId g) {
  auto key = crypto::DhGroup::generate(g);
  if (!key) return std::move(key).error();
  return std::unique_ptr<KeyExchange>(std::make_unique<DhKey>(std::move(*key)));
}

std::optional<SecureBytes> InlineSecrets::psk(const policy::AuthMethod& method, const wire::IpAddr&) {
  if (method.kind != policy::AuthKind::psk || method.psk.empty()) return std::nullopt;
  return SecureBytes(method.psk);
}

std::optional<LocalCredential> StaticCredentials::local(const policy::AuthMethod& method) {
  if (method.kind != policy::AuthKind::cert || !mine) return std::nullopt;
  return LocalCredential{mine->chain, mine->key.clone()};
}

std::vector<Bytes> StaticCredentials::trust_anchors(const policy::AuthMethod& method) {
  std::vector<Bytes> out;
  if (method.kind != policy::AuthKind::cert) return out;
  for (const auto& a : anchors) {
    if (method.ca.empty()) {
      out.push_back(a);
      continue;
    }
    if (auto s = crypto::x509::subject(a); s && crypto::x509::dn_equal(*s, method.ca)) out.push_back(a);
  }
  return out;
}

}  // namespace ipseckit::ike
