// The store unit tests' fake agents (request_fast_test, log_compat_test): a listening Unix
// socket, and the first client that connects to it, served on the test's own thread.
#pragma once

#include <doctest/doctest.h>
#include <sys/socket.h>

#include <chrono>
#include <string>

#include "sys/unix_socket.h"

namespace ipseckit::store::testing {

inline sys::UniqueFd listen_at(const std::string& path) {
  auto fd = sys::unix_listen(path);
  REQUIRE(fd);
  return std::move(fd.value());
}

// The first client within 10 s (an invalid fd if none came).
inline sys::UniqueFd accept_one(const sys::UniqueFd& listen) {
  auto readable = sys::wait_readable(listen.get(), std::chrono::seconds(10));
  if (!readable || !*readable) return sys::UniqueFd();
  return sys::UniqueFd(::accept(listen.get(), nullptr, nullptr));
}

}  // namespace ipseckit::store::testing
