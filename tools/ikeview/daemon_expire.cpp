// espd's lifetime events for the phase-2 SAs ikeview negotiated: esp/expire/<spi> =
// {"spi","direction","kind":"soft"|"hard","cause":"bytes"|"packets"|"seconds"|...}
// (tools/espd/daemon_store.cpp). RFC 4301 4.4.2.1: soft -> rekey (the side that initiated the
// SA runs a new Quick Mode; RFC 2409 5.5 lets the initiator of the old one do it), hard ->
// delete with a Delete to the peer. Kilobyte lifetimes (RFC 2407 4.5) are counted only by
// the data plane, so they reach the engine this way. The record is deleted once handled;
// records of SAs that are not ours (manual SAs) are left alone.
#include <fmt/format.h>

#include "ikeview/daemon.h"

namespace ipseckit::ikeview {

void Daemon::on_expire(const store::Event& ev) {
  if (ev.kind == store::Event::Kind::del || !ev.value.is_object()) return;
  const std::string spi = ev.key.substr(std::string_view(kEspExpirePrefix).size());
  const bool hard = ev.value.value("kind", std::string()) == "hard";
  const std::string cause = ev.value.value("cause", std::string("?"));
  std::optional<std::uint64_t> child;
  for (const auto& [id, c] : m_engine->child_sas())
    for (const auto& p : c.info.protos)
      if (spi_hex(p.spi_in) == spi || spi_hex(p.spi_out) == spi) child = id;
  if (!child) {
    // An SA already replaced or deleted (its esp/sa record is gone): the event is stale. A
    // manual SA's record stays with its SA.
    if (auto r = m_client.get(std::string("esp/sa/") + spi); !r && r.error().code == "not_found") (void)m_client.del(ev.key);
    return;
  }
  note(log::Level::control, fmt::format("QM SA #{}: the data plane reports SPI {} reached its {} lifetime ({}){}", *child, spi,
                                   hard ? "hard" : "soft", cause, hard ? ": deleting" : ": rekeying"));
  (void)m_client.del(ev.key);
  m_engine->data_plane_expired(*child, hard);
}

}  // namespace ipseckit::ikeview
