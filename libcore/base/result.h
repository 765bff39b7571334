// Result<T>: a value or an Error. Errors carry a stable machine code, a message for people,
// and optionally the protocol's own code (an ISAKMP notify type, an L2TP result code, an
// ipsecpol message id) so that only tools turn them into text and exit codes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace ipseckit {

struct Error {
  std::string code;       // stable, machine readable: "parse", "not_found", "conflict", ...
  std::string message;    // for people; names the offending token/field
  std::int64_t proto = 0; // protocol's own code where one exists, else 0
  int position = -1;      // byte offset or argument index of the offending token, -1 if none

  static Error make(std::string code, std::string message, std::int64_t proto = 0, int position = -1) {
    return Error{std::move(code), std::move(message), proto, position};
  }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}   // NOLINT(implicit)
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}  // NOLINT(implicit)

  bool ok() const { return m_v.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(m_v); }
  Error&& error() && { return std::get<1>(std::move(m_v)); }

 private:
  std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_err(std::move(error)), m_ok(false) {}  // NOLINT(implicit)
  bool ok() const { return m_ok; }
  explicit operator bool() const { return m_ok; }
  const Error& error() const { return m_err; }

 private:
  Error m_err;
  bool m_ok = true;
};

using Status = Result<void>;

}  // namespace ipseckit

// Propagate an error from an expression returning Result<...>.
#define IPSECKIT_TRY(expr)                          \
  do {                                              \
    auto ipseckit_try_r_ = (expr);                  \
    if (!ipseckit_try_r_.ok()) return ipseckit_try_r_.error(); \
  } while (0)
