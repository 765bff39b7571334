// `ikeview initiate --peer ADDR [--rule NAME]`: stores the request ike/initiate/<id>
// {"peer","rule","state":"requested","created"}; the daemon answers in the same key ("started",
// then "established" or "failed" with a reason). We wait for the answer, print it and delete
// the key. Exit 0 established, 1 failed or no answer in time.
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "base/bytes.h"
#include "crypto/random.h"
#include "ikeview/commands.h"
#include "ikeview/records.h"

namespace ipseckit::ikeview {

int cmd_initiate(const tool::StoreOptions& so, const std::string& peer, const std::string& rule, unsigned timeout_s,
                 bool wait, bool as_json) {
  if (!wire::IpAddr::parse(peer)) return tool::fail(kTool, Error::make("usage", "--peer: not an address: '" + peer + "'"));
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  std::uint8_t rnd[6];
  crypto::random_bytes(rnd, sizeof rnd);
  const std::string key = kInitiatePrefix + fmt::format("{}-{}", ::getpid(), to_hex(ByteView(rnd, sizeof rnd)));
  std::optional<store::Watch> w;
  if (wait) {
    auto wr = c->watch(key, false);
    if (!wr) return tool::fail(kTool, wr.error());
    w.emplace(std::move(*wr));
  }
  Json req{{"peer", peer}, {"state", "requested"}, {"created", unix_now()}};
  if (!rule.empty()) req["rule"] = rule;
  if (auto r = c->put(key, req); !r) return tool::fail(kTool, r.error());
  if (!wait) {
    std::puts(key.c_str());
    return tool::kExitOk;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  Json answer;
  bool started = false;
  while (answer.is_null()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto ev = w->next(left);
    if (!ev) return tool::fail(kTool, ev.error());
    if (!*ev || (*ev)->key != key || !(*ev)->value.is_object()) continue;
    auto st = (*ev)->value.value("state", std::string());
    if (st == "started") started = true;
    if (st == "established" || st == "failed") answer = (*ev)->value;
  }
  (void)c->del(key);
  if (answer.is_null()) {
    if (started)
      tool::warn(kTool, fmt::format("negotiation with {} still not complete after {} s: see `ikeview log`", peer, timeout_s));
    else
      tool::warn(kTool, fmt::format("no answer from the ikeview daemon within {} s (is `ikeview daemon` running?)", timeout_s));
    return tool::kExitFailed;
  }
  const bool ok = answer["state"] == "established";
  if (as_json) std::fputs((answer.dump(2) + "\n").c_str(), stdout);
  else if (ok)
    std::fputs(fmt::format("established with {}: {}\n", answer.value("peer", peer), answer.value("describe", std::string()))
                   .c_str(),
               stdout);
  if (!ok) tool::warn(kTool, fmt::format("negotiation with {} failed: {}", peer, answer.value("reason", std::string("?"))));
  return ok ? tool::kExitOk : tool::kExitFailed;
}

}  // namespace ipseckit::ikeview
