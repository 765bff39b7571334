// The engine's configuration from `ikeview daemon`'s options.
#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "ikeview/daemon.h"

namespace ipseckit::ikeview {

ike::EngineConfig engine_config(const DaemonOptions& opt) {
  ike::EngineConfig c;
  // RFC 3706 5.5: after dpd_delay of silence, R-U-THERE every dpd_retry; dead after
  // dpd_tries unanswered, i.e. dpd_timeout after the first one (5 tries, at least 1 s apart).
  c.dpd_delay = ike::Millis(std::int64_t{opt.dpd_delay_s} * 1000);
  const std::int64_t timeout_ms = std::int64_t{opt.dpd_timeout_s} * 1000;
  c.dpd_tries = static_cast<unsigned>(std::clamp<std::int64_t>(timeout_ms / 1000, 1, 5));
  c.dpd_retry = ike::Millis(timeout_ms / c.dpd_tries);
  // TEST ONLY (ikeview(8), ENVIRONMENT): IKEVIEW_TEST_QM_LIFETIME=SECONDS (5..3600) caps the
  // lifetime of every Quick Mode SA, whatever was negotiated, so that tests see phase-2 rekeys
  // within seconds (tests/tools/espd_rekey.sh).
  if (const char* s = std::getenv("IKEVIEW_TEST_QM_LIFETIME")) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(s, &end, 10);
    if (end != s && *end == '\0' && v >= 5 && v <= 3600) {
      c.test_phase2_life_cap_seconds = v;
      c.min_life_seconds = std::min<std::uint64_t>(v, c.min_life_seconds);
      log::write(log::Subsys::ike, log::Level::control,
                 fmt::format("TEST ONLY: Quick Mode lifetime {} s (IKEVIEW_TEST_QM_LIFETIME)", v));
    } else {
      log::write(log::Subsys::ike, log::Level::audit,
                 fmt::format("IKEVIEW_TEST_QM_LIFETIME='{}' ignored (want 5..3600 seconds)", s));
    }
  }
  return c;
}

}  // namespace ipseckit::ikeview
