// IPv4 addresses handed to PPP clients: a FIRST-LAST range, plus per-user static addresses
// (inside or outside the range) so that no address is given twice.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "base/result.h"
#include "wire/ip_address.h"

namespace ipseckit::ppp {

class AddressPool {
 public:
  static constexpr std::size_t kMaxSize = 1u << 20;

  // Fails (code "ppp.pool") for IPv6, first > last, or more than kMaxSize addresses.
  static Result<AddressPool> create(const wire::IpAddr& first, const wire::IpAddr& last);

  // The lowest free address of the range; nullopt when exhausted.
  std::optional<wire::IpAddr> acquire();
  // A specific address (a user's static one): false when it is already in use.
  bool reserve(const wire::IpAddr& a);
  void release(const wire::IpAddr& a);

  bool contains(const wire::IpAddr& a) const;
  bool in_use(const wire::IpAddr& a) const;
  std::size_t size() const { return m_used.size(); }
  std::size_t used() const { return m_count + m_outside.size(); }

 private:
  AddressPool(std::uint32_t first, std::size_t n) : m_first(first), m_used(n, false) {}
  std::uint32_t m_first;
  std::vector<bool> m_used;
  std::size_t m_count = 0;
  std::size_t m_hint = 0;
  std::set<std::uint32_t> m_outside;  // static addresses outside the range
};

}  // namespace ipseckit::ppp
