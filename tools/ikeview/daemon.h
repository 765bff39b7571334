// `ikeview daemon`: the IKEv1 engine on UDP 500/4500, driven by the store (man/ikeview.8).
//   reads:   spd/current (watched), secret/psk/... and secret/dynamic/... (PSKs, on demand; cached, watched),
//            acquire/<id> (watched; deleted when done or failed),
//            ike/initiate/<id> (watched; answered in place, see records.h)
//   writes:  ike/mm/..., secret/ike/mm/..., ike/qm/..., esp/sa/..., secret/esp/sa/...,
//            the event log (subsystem "ike")
// Foreground, logs to stderr; SIGTERM/SIGINT delete the SAs (Delete to the peer) and every
// record the daemon wrote, then exit 0.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/tool_common.h"
#include "ike/engine.h"
#include "ikeview/credentials.h"
#include "ikeview/daemon_env.h"
#include "ikeview/records.h"
#include "sys/mark.h"

namespace ipseckit::ikeview {

struct DaemonOptions {
  tool::StoreOptions store;
  std::string listen;                 // empty: 0.0.0.0 and :: (one socket pair per family)
  std::optional<std::uint32_t> mark = sys::kDaemonMark;  // SO_MARK on every socket; none: unmarked
  std::uint16_t port = 500, natt_port = 4500;
  std::string log_level = "control";
  unsigned request_timeout_s = 40;    // an initiate/acquire with no outcome fails after this
  unsigned dpd_delay_s = 30;          // RFC 3706: R-U-THERE after this long without traffic (0: off)
  unsigned dpd_timeout_s = 25;        // then the peer is dead after this long without an answer
  CertOptions certs;                  // --cert, --key, --ca, --ca-dir (credentials.h)
};

int run_daemon(const DaemonOptions& opt);
// The engine's configuration from the options (daemon_config.cpp).
ike::EngineConfig engine_config(const DaemonOptions& opt);

// A negotiation someone asked for: `ikeview initiate` or an acquire from espd.
struct Request {
  std::string key;  // ike/initiate/<id> or acquire/<id>
  bool acquire = false;
  wire::IpAddr peer;
  std::string rule;
  std::uint64_t ike_sa = 0;
  std::uint64_t phase2_failed_before = 0;
  std::chrono::steady_clock::time_point deadline;
  bool done = false;
};

class Daemon {
 public:
  Daemon(const DaemonOptions& opt, store::Client client, std::unique_ptr<UdpTransport> udp,
         std::optional<DaemonCredentials> creds = std::nullopt);
  ~Daemon();
  int run();  // until SIGTERM/SIGINT or the store goes away

 private:
  // daemon.cpp
  Status drain_udp(sys::UdpSocket& s, std::uint16_t port);
  Status drain_watch(store::Watch& w);
  void on_event(const store::Event& ev);
  void shutdown();
  void note(log::Level l, std::string text);  // stderr + the store's event log

  // daemon_stats.cpp: stats/ikeview, under ipseccmd's IKE statistics names where one fits
  void publish_stats(bool force);

  // daemon_records.cpp: the engine's callbacks
  ike::Callbacks callbacks();
  void phase1_up(const ike::Phase1Info& i);
  void phase1_down(const ike::Phase1Info& i, std::string_view reason);
  void phase2_up(const ike::Phase2Info& i);
  void phase2_down(const ike::Phase2Info& i, std::string_view reason);
  void engine_event(const ike::LogEvent& e);
  void put_records(std::vector<store::TxnOp> ops, std::string_view what);
  void delete_records(const std::vector<std::string>& keys, std::string_view what);
  // The store's answers to records written without waiting (put_records, delete_records): a
  // refused write is logged; a refused delete is retried key by key (a key already gone).
  void settle_records();

  // daemon_expire.cpp: espd's lifetime events (esp/expire/<spi>) for our phase-2 SAs
  void on_expire(const store::Event& ev);

  // daemon_requests.cpp
  void on_request(const std::string& key, const store::Json& v, bool acquire);
  void check_requests();
  void finish(Request& r, bool ok, const std::string& reason, const store::Json& extra = nullptr);
  std::optional<ike::SpdPolicyView::Initiation> plan(const Request& r, const store::Json& v, std::string& why) const;

  const DaemonOptions& m_opt;
  store::Client m_client;
  std::unique_ptr<UdpTransport> m_udp;
  ike::SystemClock m_clock;
  ike::OsRng m_rng;
  ike::OpenSslDh m_dh;
  StoreSecrets m_secrets;
  std::optional<DaemonCredentials> m_creds;  // none: certificate rules are not offered
  CurrentPolicy m_policy;
  std::unique_ptr<ike::Engine> m_engine;
  bool m_stop = false;

  std::map<std::uint64_t, std::vector<std::string>> m_p1_keys;  // IKE SA id -> records written
  std::map<std::uint64_t, std::vector<std::string>> m_p2_keys;  // QM SA id -> records written
  std::map<std::string, Request> m_requests;                    // by store key
  std::map<std::string, std::string> m_last_failure;            // SA label -> last audit line
  std::string m_last_audit;
  std::uint64_t m_esp_on_natt = 0;   // ESP-in-UDP on 4500: espd's, dropped here (RFC 3948 §2.2)
  std::uint64_t m_keepalives = 0;    // NAT keepalives (RFC 3948 §2.3)
  std::uint64_t m_acquires = 0;      // acquires taken from the store
  store::Json m_last_stats;
  std::vector<std::uint8_t> m_rx_buf = std::vector<std::uint8_t>(65536);  // one receive buffer, not zeroed per call
};

}  // namespace ipseckit::ikeview
