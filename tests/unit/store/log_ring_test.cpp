// The event-log ring (store/log_ring.h) against a model: after any number of appends it holds
// the last `capacity` entries, oldest first, whatever the lengths of the strings it reuses.
#include "store/log_ring.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace ipseckit::store;

TEST_CASE("log ring: wraps around keeping the newest entries, strings of any length") {
  for (std::size_t cap : {std::size_t{1}, std::size_t{3}, std::size_t{7}}) {
    CAPTURE(cap);
    LogRing ring(cap);
    std::vector<LogEntry> model;
    for (std::uint64_t i = 1; i <= 25; ++i) {
      const std::string msg(i * 37 % 90, static_cast<char>('a' + i % 26));  // lengths up and down, "" too
      const std::string subsys = i % 4 == 0 ? "a-long-subsystem-name" : "ike";
      const std::string level = i % 3 == 0 ? "private" : "diag";
      const LogEntry& got = ring.append(subsys, level, msg, static_cast<std::int64_t>(i * 10));
      CHECK(got.seq == i);
      CHECK(got.message == msg);
      model.push_back(LogEntry{i, static_cast<std::int64_t>(i * 10), subsys, level, msg});
      if (model.size() > cap) model.erase(model.begin());
      auto all = ring.read(0, 1000, true);
      REQUIRE(all.size() == model.size());
      for (std::size_t k = 0; k < all.size(); ++k) {
        CHECK(all[k].seq == model[k].seq);
        CHECK(all[k].time_ms == model[k].time_ms);
        CHECK(all[k].subsys == model[k].subsys);
        CHECK(all[k].level == model[k].level);
        CHECK(all[k].message == model[k].message);
      }
      // since/limit/private across the wrap point
      auto tail = ring.read(i - 1, 10, true);
      REQUIRE(tail.size() == 1);
      CHECK(tail[0].seq == i);
      std::size_t pub = 0;
      for (const auto& m : model) pub += m.level != "private";
      CHECK(ring.read(0, 1000, false).size() == pub);
    }
    CHECK(ring.size() == cap);
  }
}
