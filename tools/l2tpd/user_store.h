// L2TP users in the store (issue 5: "users from a chap-secrets-style file or from the store"):
//
//   secret/l2tp/users/<name>   {"secret_hex": "<the password, hex>", "server": "*",
//                               "address": "*" | "-" | "192.0.2.20"}
//
// "secret/" records are root-only in the store (libcore/store: only uid 0 or the agent's own
// user may read or write them), like a chap-secrets file of mode 600. The password is hex so
// that any bytes survive JSON. `l2tpd user add|del|list` manage them (list shows names and
// addresses, never secrets); `l2tpd serve --users store` reads them when it starts.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "ppp/users.h"
#include "store/client.h"

namespace ipseckit::l2tpd {

inline constexpr std::string_view kUserPrefix = "secret/l2tp/users/";

// 1..64 characters of [A-Za-z0-9._@+-] (the name is a store key component).
bool valid_user_name(std::string_view name);
// The store's users; errors name the offending record.
Result<ppp::MemoryUserDb> load_store_users(store::Client& c, std::size_t* count = nullptr);
// The record of one user (address: "*", "-" or an IPv4 address, checked by the caller).
store::Json user_record(const SecureBytes& secret, std::string_view server, std::string_view address);

}  // namespace ipseckit::l2tpd
