#include "ike/env.h"

#include "crypto/random.h"

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

void OsRng::fill(std::span<std::uint8_t> out) { crypto::random_bytes(out.data(), out.size()); }

Result<std::unique_ptr<KeyExchange>> OpenSslDh::create(crypto::DhGroupId g) {
  auto key = crypto::DhGroup::generate(g);
  if (!key) return std::move(key).error();
  return std::unique_ptr<KeyExchange>(std::make_unique<DhKey>(std::move(*key)));
}

std::optional<SecureBytes> InlineSecrets::psk(const policy::AuthMethod& method, const wire::IpAddr&) {
  if (method.kind != policy::AuthKind::psk || method.psk.empty()) return std::nullopt;
  return SecureBytes(method.psk);
}

}  // namespace ipseckit::ike
