// The IKEv1 engine of one host: every IKE SA and phase-2 SA it negotiated, fed with datagrams
// and timer ticks, talking to the world only through the injected Transport, Clock, Rng,
// DhFactory, Secrets and PolicyView (STYLE.md #10). Single-threaded: the caller serialises
// receive(), run_timers() and the API calls.
//
// ikeview's loop:  receive() for each datagram on UDP 500/4500; run_timers() when
// next_timer() is due; initiate() on an acquire or "ikeview initiate"; note_traffic() with
// the data plane's byte counters (lifetimes in kilobytes); the Callbacks write SAs and the
// event log to the store.
//
// Besides Main Mode and Quick Mode: Aggressive Mode with pre-shared keys, only for rules that
// ask for it (aggressive_mode.h), Informational (Delete, INITIAL-CONTACT, error notifies;
// engine_info.cpp), half-open limits with stateless responder cookies (engine_limits.cpp),
// NAT-T (nat_t.h, engine_natt.cpp), DPD (engine_dpd.cpp), lifetimes (engine_timers.cpp),
// RSA signatures with X.509 (phase1_cert.h, crypto/x509.h; needs EngineEnv::credentials) and IKE
// fragmentation (engine_send.cpp, engine_receive.cpp). Settings and defaults: config.h.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "ike/config.h"
#include "ike/context.h"
#include "ike/env.h"
#include "ike/events.h"
#include "ike/ike_sa.h"
#include "ike/policy_view.h"
#include "wire/isakmp_message.h"

namespace ipseckit::ike {

struct EngineEnv {
  Transport& transport;
  Clock& clock;
  Rng& rng;
  DhFactory& dh;
  Secrets& secrets;
  const PolicyView& policy;
  Credentials* credentials = nullptr;  // certificates (RSA signatures); nullptr = none
};

// Counters for `ikeview` statistics and the tests (unauthenticated junk is counted here and
// logged at a rate limit).
struct EngineStats {
  std::uint64_t received = 0;
  std::uint64_t malformed = 0;         // undecodable datagrams
  std::uint64_t unknown_sa = 0;        // cookies we do not know
  std::uint64_t out_of_order = 0;      // a message the exchange does not expect now
  std::uint64_t duplicates = 0;        // retransmissions answered from the cache (or ignored)
  std::uint64_t replays = 0;           // message ids already used
  std::uint64_t bad_hash = 0;          // protected messages whose HASH did not verify
  std::uint64_t unauthenticated = 0;   // plaintext Informationals (logged, never acted upon)
  std::uint64_t retransmits = 0;       // our own retransmissions
  std::uint64_t phase1_up = 0, phase1_failed = 0;
  std::uint64_t phase2_up = 0, phase2_failed = 0;
  std::uint64_t half_open_refused = 0;  // message 1 refused: per-peer or overall limit
  std::uint64_t aggressive_refused = 0;  // Aggressive Mode message 1 whose rule does not allow it
  std::uint64_t half_open_evicted = 0;  // unverified half-open SAs evicted for a newer message 1
  std::uint64_t stale_cookies = 0;      // message 3 with our (valid) cookie for an evicted SA
  std::uint64_t dpd_dead = 0;           // peers declared dead by DPD (RFC 3706)
  std::uint64_t fragments_sent = 0, fragments_received = 0;
};

// A phase-2 SA as the engine keeps it.
struct ChildSa {
  Phase2Info info;
  QmPolicy policy;  // what to repeat when rekeying
  TimePoint soft = TimePoint::max(), hard = TimePoint::max();
  std::uint64_t bytes = 0;
  bool rekey_started = false;
  bool replaced = false;
};

class Engine {
 public:
  Engine(EngineConfig cfg, EngineEnv env, Callbacks callbacks);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // One UDP datagram as received (on port 4500 with its non-ESP marker; 1-byte keepalives
  // are accepted and ignored).
  void receive(const Endpoint& local, const Endpoint& remote, ByteView datagram);

  // Negotiates a phase-2 SA for `qm` with the peer, first running Main Mode when no usable
  // IKE SA exists (or joining one in progress). Returns the IKE SA's id.
  Result<std::uint64_t> initiate(const Endpoint& local, const Endpoint& remote, QmPolicy qm);
  // Main Mode only.
  Result<std::uint64_t> initiate_phase1(const Endpoint& local, const Endpoint& remote);
  // A Quick Mode on that IKE SA (ours, established or still in Main Mode: then it starts when
  // Main Mode completes), whatever other SAs the peer's address has (bench/ike's load
  // generator: many initiators, one responder address).
  Status initiate_on(std::uint64_t ike_sa, QmPolicy qm);

  // Deletes with a Delete notification to the peer (RFC 2408 4.8; RFC 2409 5.7).
  Status delete_phase2(std::uint64_t id, std::string_view reason = "deleted by request");
  Status delete_phase1(std::uint64_t id, std::string_view reason = "deleted by request");

  // The data plane's byte count of a phase-2 SA (both directions), for kilobyte lifetimes.
  void note_traffic(std::uint64_t child_id, std::uint64_t total_bytes);
  // The data plane reached a phase-2 SA's soft (rekey, RFC 4301 4.4.2.1; the initiator
  // rekeys) or hard (delete with a Delete to the peer) lifetime, whatever counted it.
  void data_plane_expired(std::uint64_t child_id, bool hard);

  // Retransmissions, give-ups, half-open timeouts, rekeying and expiry due at clock.now().
  void run_timers();
  std::optional<TimePoint> next_timer() const;

  // ---- inspection (ikeview sa, tests)
  const EngineStats& stats() const { return m_stats; }
  std::vector<const IkeSa*> ike_sas() const;
  const IkeSa* ike_sa(std::uint64_t id) const;
  const std::map<std::uint64_t, ChildSa>& child_sas() const { return m_children; }
  std::size_t half_open() const;

 private:
  using CookiePair = std::pair<isakmp::Cookie, isakmp::Cookie>;

  // engine.cpp
  IkeSa* find(const isakmp::Cookie& ci, const isakmp::Cookie& cr);
  IkeSa* usable_sa(const wire::IpAddr& peer);
  IkeSa* connecting_initiator(const wire::IpAddr& peer);
  IkeSa& create_sa(bool initiator, const Endpoint& local, const Endpoint& remote, const isakmp::Cookie& cky_i,
                   MmPolicy policy);
  void reindex(IkeSa& sa, const isakmp::Cookie& cky_r);
  isakmp::Cookie new_cookie();
  std::uint32_t new_spi();
  std::uint32_t new_message_id(const IkeSa& sa);
  bool holds_other_sa(const wire::IpAddr& peer, std::uint64_t except) const;
  void start_quick_mode(IkeSa& sa, QmPolicy qm);
  Phase1Info phase1_info(const IkeSa& sa) const;

  // engine_send.cpp
  // Builds and sends whatever the task has to send; returns the last datagram sent (the
  // answer cached for duplicates of the peer's message).
  Bytes run_output(IkeSa& sa, Task& task, std::uint32_t mid);
  Result<Bytes> frame(IkeSa& sa, Task* task, const OutMessage& out);
  // Fragments (when the peer announced FRAGMENTATION and the message is too large).
  void send_datagram(IkeSa& sa, ByteView datagram);
  void send_raw(const Endpoint& local, const Endpoint& remote, ByteView datagram);
  void send_informational(IkeSa& sa, std::vector<isakmp::Payload> body, std::string_view what);
  void send_plain_notify(const Endpoint& local, const Endpoint& remote, const isakmp::Cookie& ci,
                         const isakmp::Cookie& cr, isakmp::NotifyType type);

  // engine_receive.cpp
  void dispatch(const Endpoint& local, const Endpoint& remote, const isakmp::Message& m, ByteView raw);
  void reassemble(const Endpoint& local, const Endpoint& remote, const isakmp::Message& m);
  void respond_main_mode(const Endpoint& local, const Endpoint& remote, const isakmp::Message& m, ByteView raw);
  bool respond_aggressive_by_id(const Endpoint& local, const Endpoint& remote, const isakmp::Message& m,
                                std::optional<MmPolicy>& pol);
  void handle(IkeSa& sa, const isakmp::Message& m, ByteView raw);
  void handle_task(IkeSa& sa, Task& task, const isakmp::Message& m, const Bytes& digest);
  void drop(IkeSa* sa, std::string_view kind, std::string text);

  // engine_limits.cpp
  // RFC 2408 2.5.3: CKY-R = prf(secret, remote address | CKY-I), so a message 3 (or, after the
  // NAT-T float to another port, a message 5) names a cookie we can check without state.
  isakmp::Cookie responder_cookie(const Endpoint& remote, const isakmp::Cookie& cky_i) const;
  // Makes room for one more half-open responder SA from `remote` (evicting if needed); false
  // (and logged) when message 1 must be refused.
  bool admit_half_open(const Endpoint& remote, std::string_view exchange);  // "Main Mode" | "Aggressive Mode"
  // A message for unknown cookies whose CKY-R is ours: logs why (the SA was evicted).
  bool explain_stale_cookie(const Endpoint& remote, const isakmp::Header& h);

  // engine_outcome.cpp
  void task_failed(IkeSa& sa, Task& task, std::uint32_t mid, const Step& s, bool peer_can_decrypt = true);
  void task_done(IkeSa& sa, Task& task, std::uint32_t mid);
  void phase1_established(IkeSa& sa);
  void install_child(IkeSa& sa, Phase2Info info, const QmPolicy& policy);
  void fail_sa(IkeSa& sa, std::string reason);
  void remove_sa(std::uint64_t id);
  // Erases finished tasks and doomed SAs; called when a public entry point unwinds.
  void collect();

  // engine_info.cpp
  void handle_informational(IkeSa& sa, const isakmp::Message& m);
  void peer_deleted(IkeSa& sa, const isakmp::DeletePayload& d);
  void peer_notified(IkeSa& sa, const isakmp::NotifyPayload& n);
  void initial_contact(IkeSa& sa);
  void drop_child(std::uint64_t id, std::string_view reason, bool notify_peer);
  void drop_ike_sa(IkeSa& sa, std::string_view reason, bool notify_peer);

  // engine_natt.cpp
  // After an authenticated message on port 4500: the SA follows the address and port it came
  // from (RFC 3947 4: the NAT may have mapped the float to a new port).
  void follow_peer(IkeSa& sa);
  void send_keepalives(IkeSa& sa, TimePoint now);

  // engine_dpd.cpp
  void dpd_check(IkeSa& sa, TimePoint now);
  void dpd_notified(IkeSa& sa, const isakmp::NotifyPayload& n);

  // engine_timers.cpp
  void retransmit(IkeSa& sa, TimePoint now);
  void expire_sa(IkeSa& sa, TimePoint now);
  void expire_children(TimePoint now);
  void rekey_child(std::uint64_t id);

  EngineConfig m_cfg;
  EngineEnv m_env;
  Callbacks m_cb;
  EventLog m_log;
  Context m_ctx;
  EngineStats m_stats;
  std::uint64_t m_next_id = 1;
  std::map<std::uint64_t, std::unique_ptr<IkeSa>> m_sas;
  std::map<CookiePair, std::uint64_t> m_by_cookies;
  std::map<std::uint64_t, ChildSa> m_children;
  std::set<std::uint32_t> m_spis;  // inbound SPIs in use
  std::vector<std::uint64_t> m_doomed;  // SAs to erase once the current call unwinds
  SecureBytes m_cookie_secret;          // responder cookies (engine_limits.cpp)
  std::set<std::uint64_t> m_half_open;  // responder SAs created by message 1, pruned lazily
  Endpoint m_rx_local, m_rx_remote;     // where the datagram being handled arrived / came from
};

}  // namespace ipseckit::ike
