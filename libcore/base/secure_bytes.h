// Bytes that wipe themselves: keys, PSKs, passwords. Copying is explicit (clone()).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <string.h>  // explicit_bzero (glibc)

namespace ipseckit {

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(std::string_view s) : m_v(s.begin(), s.end()) {}
  explicit SecureBytes(std::vector<std::uint8_t> v) : m_v(std::move(v)) {}
  SecureBytes(SecureBytes&& o) noexcept : m_v(std::move(o.m_v)) { o.m_v.clear(); }
  SecureBytes& operator=(SecureBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      m_v = std::move(o.m_v);
      o.m_v.clear();
    }
    return *this;
  }
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;
  ~SecureBytes() { wipe(); }

  SecureBytes clone() const { return SecureBytes(std::vector<std::uint8_t>(m_v)); }
  const std::uint8_t* data() const { return m_v.data(); }
  std::size_t size() const { return m_v.size(); }
  bool empty() const { return m_v.empty(); }
  std::string_view view() const { return {reinterpret_cast<const char*>(m_v.data()), m_v.size()}; }  // NOLINT
  bool operator==(const SecureBytes& o) const { return m_v == o.m_v; }

 private:
  void wipe() {
    if (!m_v.empty()) explicit_bzero(m_v.data(), m_v.size());
  }
  std::vector<std::uint8_t> m_v;
};

}  // namespace ipseckit
