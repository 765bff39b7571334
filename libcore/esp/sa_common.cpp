#include "esp/sa_common.h"

#include <fmt/format.h>

#include "esp/replay.h"

namespace ipseckit::esp {
namespace {

Error bad(std::string msg) { return Error::make("config", std::move(msg)); }

}  // namespace

Result<SaCrypto> build_sa_crypto(const SaConfig& c) {
  if (!c.esp && !c.ah) return bad("SA: neither ESP nor AH");
  if (c.esp && c.esp->spi == 0) return bad("SA: ESP SPI 0 is reserved (RFC 4303 §2.1)");
  if (c.ah && c.ah->spi == 0) return bad("SA: AH SPI 0 is reserved (RFC 4302 §2.4)");
  if (c.udp_encap && c.ah) return bad("SA: UDP encapsulation (RFC 3948) carries ESP only, not AH");
  if (c.mode == Mode::tunnel) {
    if (c.local.is_unspecified() || c.remote.is_unspecified())
      return bad("SA: tunnel mode needs both tunnel endpoints");
    if (c.local.is_v6() != c.remote.is_v6()) return bad("SA: tunnel endpoints of different address families");
  }
  if (c.replay_window != 0 &&
      (c.replay_window < ReplayWindow::kMinSize || c.replay_window > ReplayWindow::kMaxSize))
    return bad(fmt::format("SA: replay window {} outside 64..1024 (0 = off)", c.replay_window));
  SaCrypto out;
  bool integrity = false;
  if (c.esp) {
    auto suite = esp_suite(c.esp->transform);
    if (!suite) return suite.error();
    integrity = suite->integrity();
    auto e = EspCrypto::create(*suite, ByteView(c.esp->keymat.data(), c.esp->keymat.size()));
    if (!e) return e.error();
    out.esp.emplace(std::move(e).value());
  }
  if (c.ah) {
    auto suite = ah_suite(c.ah->integrity);
    if (!suite) return suite.error();
    integrity = true;
    auto a = AhCrypto::create(*suite, ByteView(c.ah->keymat.data(), c.ah->keymat.size()));
    if (!a) return a.error();
    out.ah.emplace(std::move(a).value());
  }
  // RFC 4303 §3.4.3: "the receiver SHOULD NOT enable anti-replay ... if integrity is not".
  if (!integrity && c.replay_window != 0) return bad("SA: an anti-replay window needs integrity (set it to 0)");
  return out;
}

std::uint32_t event_spi(const SaConfig& c) { return c.esp ? c.esp->spi : (c.ah ? c.ah->spi : 0); }

}  // namespace ipseckit::esp
