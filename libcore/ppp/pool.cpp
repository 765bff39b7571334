#include "ppp/pool.h"

#include <fmt/format.h>

namespace ipseckit::ppp {

Result<AddressPool> AddressPool::create(const wire::IpAddr& first, const wire::IpAddr& last) {
  if (!first.is_v4() || !last.is_v4()) return Error::make("ppp.pool", "address pools are IPv4 only");
  if (first.v4_value() > last.v4_value())
    return Error::make("ppp.pool", fmt::format("pool {}-{}: the first address is after the last", first.str(), last.str()));
  const std::size_t n = std::size_t{last.v4_value()} - first.v4_value() + 1;
  if (n > kMaxSize) return Error::make("ppp.pool", fmt::format("pool of {} addresses is too large (max {})", n, kMaxSize));
  return AddressPool(first.v4_value(), n);
}

bool AddressPool::contains(const wire::IpAddr& a) const {
  return a.is_v4() && a.v4_value() >= m_first && std::size_t{a.v4_value()} - m_first < m_used.size();
}

bool AddressPool::in_use(const wire::IpAddr& a) const {
  if (contains(a)) return m_used[a.v4_value() - m_first];
  return a.is_v4() && m_outside.count(a.v4_value()) != 0;
}

std::optional<wire::IpAddr> AddressPool::acquire() {
  if (m_count == m_used.size()) return std::nullopt;
  for (std::size_t k = 0; k < m_used.size(); ++k) {
    const std::size_t i = (m_hint + k) % m_used.size();
    if (!m_used[i]) {
      m_used[i] = true;
      ++m_count;
      m_hint = i + 1;
      return wire::IpAddr::v4(m_first + static_cast<std::uint32_t>(i));
    }
  }
  return std::nullopt;
}

bool AddressPool::reserve(const wire::IpAddr& a) {
  if (!a.is_v4()) return false;
  if (contains(a)) {
    auto ref = m_used[a.v4_value() - m_first];
    if (ref) return false;
    ref = true;
    ++m_count;
    return true;
  }
  return m_outside.insert(a.v4_value()).second;
}

void AddressPool::release(const wire::IpAddr& a) {
  if (contains(a)) {
    auto ref = m_used[a.v4_value() - m_first];
    if (ref) {
      ref = false;
      --m_count;
      m_hint = std::min<std::size_t>(m_hint, a.v4_value() - m_first);
    }
    return;
  }
  if (a.is_v4()) m_outside.erase(a.v4_value());
}

}  // namespace ipseckit::ppp
