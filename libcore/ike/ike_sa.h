// One phase-1 SA (an "IKE SA" / ISAKMP SA) and everything the engine keeps for it: cookies,
// endpoints, the guarded state (STYLE.md #9), the negotiated suite and keys, the exchange
// tasks in progress, the cached responses that answer a peer's retransmissions, and the
// requests we retransmit ourselves.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "ike/context.h"
#include "ike/phase1_crypto.h"
#include "ike/policy_view.h"
#include "ike/task.h"

namespace ipseckit::ike {
class QuickModeTask;
}
#include "ike/types.h"
#include "wire/isakmp_fragment.h"
#include "wire/isakmp_header.h"
#include "wire/isakmp_id.h"
#include "wire/isakmp_transform.h"

namespace ipseckit::ike {

enum class NatTVariant : std::uint8_t { none, rfc3947, draft };

enum class SaState : std::uint8_t {
  connecting,   // phase 1 in progress
  established,  // authenticated; Quick Modes and protected Informationals allowed
  replaced,     // rekeyed: a newer SA with this peer exists; this one serves until it expires
  deleted,      // deleted by us, the peer, expiry or INITIAL-CONTACT (terminal)
  failed,       // negotiation failed (terminal); failure() says why
};
std::string_view name(SaState s);  // "CONNECTING", ...

// What phase 1 negotiated; filled in by the Main Mode task.
struct Phase1Results {
  std::optional<isakmp::IkeTransformAttrs> attrs;  // the chosen transform
  std::optional<Phase1Crypto> crypto;              // from Main Mode message 3/4 on
  Bytes sai_b;                                     // the initiator's SA payload body (HASH_I/R)
  std::optional<isakmp::IdPayload> local_id, peer_id;
  std::uint64_t life_seconds = 0;
  std::uint64_t life_kilobytes = 0;
  bool initial_contact_received = false;  // in an authenticated message 5/6
  // Aggressive Mode responder: the address the initiator's IDii names (RFC 2409 5.4: the
  // pre-shared key is chosen by the identity); nullopt = the peer's source address.
  std::optional<wire::IpAddr> psk_lookup;
};

class IkeSa {
 public:
  IkeSa(std::uint64_t id, bool initiator, const Endpoint& local, const Endpoint& remote, const isakmp::Cookie& cky_i,
        MmPolicy policy, TimePoint created);
  ~IkeSa();
  IkeSa(const IkeSa&) = delete;
  IkeSa& operator=(const IkeSa&) = delete;

  std::uint64_t id() const { return m_id; }
  const std::string& label() const { return m_label; }  // "IKE SA #3"
  bool initiator() const { return m_initiator; }
  const Endpoint& local() const { return m_local; }
  const Endpoint& remote() const { return m_remote; }
  void set_remote(const Endpoint& e) { m_remote = e; }
  void set_local(const Endpoint& e) { m_local = e; }
  const isakmp::Cookie& cky_i() const { return m_cky_i; }
  const isakmp::Cookie& cky_r() const { return m_cky_r; }
  void set_cky_r(const isakmp::Cookie& c) { m_cky_r = c; }
  const MmPolicy& policy() const { return m_policy; }
  bool aggressive = false;  // phase 1 runs (ran) in Aggressive Mode (RFC 2409 5)
  TimePoint created() const { return m_created; }

  // ---- the guarded state: every change is logged "OLD -> NEW" with its reason; a change the
  // table does not allow is refused (false) and logged.
  SaState state() const { return m_state; }
  bool set_state(SaState to, std::string reason, EventLog& log);
  const std::string& failure() const { return m_failure; }
  bool usable() const { return m_state == SaState::established || m_state == SaState::replaced; }

  Phase1Results& results() { return m_results; }
  const Phase1Results& results() const { return m_results; }
  Phase1Crypto* crypto() { return m_results.crypto ? &*m_results.crypto : nullptr; }

  // ---- lifetime (set when established)
  TimePoint established_at{};
  TimePoint soft_expiry = TimePoint::max();
  TimePoint hard_expiry = TimePoint::max();
  bool rekey_started = false;
  bool send_initial_contact = false;  // decided by the engine: no other SA with this peer
  TimePoint last_received{};  // any authenticated or expected message from the peer

  // ---- tasks: the phase-1 task stays after it finishes (to answer duplicates of the last
  // message); Quick Mode tasks by message id.
  std::unique_ptr<Task> phase1;
  std::map<std::uint32_t, std::unique_ptr<QuickModeTask>> quick;

  // ---- requests we retransmit until the peer's answer arrives (by message id)
  struct Pending {
    Bytes datagram;
    std::string what;
    TimePoint next{};
    Millis wait{0};
    unsigned tries = 0;
  };
  std::map<std::uint32_t, Pending> pending;

  // ---- the last peer message of each exchange and our answer to it (duplicates are
  // answered from here, never processed again)
  struct Answered {
    Bytes digest;    // of the peer's datagram
    Bytes response;  // empty: nothing to resend
    unsigned answers = 0;
  };
  std::deque<std::pair<std::uint32_t, Answered>> answered;  // bounded, oldest first
  Answered* answered_for(std::uint32_t mid);
  void record_answer(std::uint32_t mid, Bytes digest, Bytes response, std::size_t limit);
  // Quick Mode / Informational message ids already used (replays are dropped).
  std::deque<std::uint32_t> used_message_ids;
  bool message_id_used(std::uint32_t mid) const;
  void remember_message_id(std::uint32_t mid, std::size_t limit);

  // The last unauthenticated notify the peer sent (never acted upon; named in a give-up
  // reason so that the admin sees it).
  std::string unauthenticated_notify;
  // Why the last message for this SA was dropped (named in a give-up reason).
  std::string last_drop;
  // Quick Modes waiting for phase 1 to complete.
  std::vector<QmPolicy> queued;
  // Quick Modes (by message id) that rekey an existing phase-2 SA (its id).
  std::map<std::uint32_t, std::uint64_t> rekeys;
  // The SA this one replaces (rekey), 0 if none.
  std::uint64_t replaces = 0;

  // ---- NAT traversal (RFC 3947, draft-ietf-ipsec-nat-t-ike-02/03), from the vendor IDs of
  // messages 1/2 and the NAT-D payloads of messages 3/4.
  NatTVariant nat_t = NatTVariant::none;
  bool nat_local = false;   // we are behind a NAT (our NAT-D hash did not match)
  bool nat_remote = false;  // the peer is behind a NAT
  bool nat_detected() const { return nat_local || nat_remote; }
  TimePoint next_keepalive = TimePoint::max();  // RFC 3948 4: sent by the side behind the NAT

  // ---- Dead Peer Detection (RFC 3706): the peer announced the DPD vendor ID.
  bool peer_dpd = false;
  std::uint32_t dpd_seq = 0;        // our last R-U-THERE sequence number
  std::uint32_t dpd_peer_seq = 0;   // the peer's last R-U-THERE we answered (0 = none yet)
  bool dpd_outstanding = false;     // an R-U-THERE waits for its ACK
  unsigned dpd_tries = 0;           // R-U-THEREs sent without an ACK
  TimePoint dpd_next = TimePoint::max();  // next check (idle probe or retry)

  // ---- IKE fragmentation (strongSwan/Windows): the peer announced the vendor ID.
  bool peer_fragmentation = false;
  std::uint16_t fragment_id = 0;  // of the last message we sent in fragments
  isakmp::FragmentReassembler reassembly;

 private:
  std::uint64_t m_id;
  std::string m_label;
  bool m_initiator;
  Endpoint m_local, m_remote;
  isakmp::Cookie m_cky_i, m_cky_r{};
  MmPolicy m_policy;
  TimePoint m_created;
  SaState m_state = SaState::connecting;
  std::string m_failure;
  Phase1Results m_results;
};

// Whether two IKE SAs are with the same peer (INITIAL-CONTACT, DPD, the heir of phase-2 SAs).
// Without a NAT the peer's address names it. Behind a NAT (RFC 3947 NAT-D said so for either
// SA) one public address hides several hosts, e.g. two Windows L2TP/IPsec clients: the peer
// is then its NAT mapping (address and port) and its phase-1 identity. Two hosts may present
// the same identity (the same private address behind two home routers of one carrier NAT, a
// shared FQDN), so the identity alone is not enough; a restarted client that got a new
// mapping leaves its old SAs to DPD and their lifetime instead of taking down a neighbour's.
bool same_peer(const IkeSa& a, const IkeSa& b);

}  // namespace ipseckit::ike
