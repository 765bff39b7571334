// Engine settings with their defaults and where each default comes from.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "ike/types.h"

namespace ipseckit::ike {

struct RetransmitConfig {
  Millis initial{2000};      // first retransmission after this long
  double factor = 2.0;       // each further wait is this much longer (exponential back-off)
  Millis max_wait{30000};    // cap on one wait
  unsigned tries = 5;        // retransmissions before giving up (strongSwan: 5)
};

struct EngineConfig {
  RetransmitConfig retransmit;
  // A responder's half-open Main Mode (no message 5 yet) is dropped after this long.
  Millis half_open_timeout{30000};
  // Default lifetimes when neither the offer nor the peer names one (Windows 2000: 8 hours /
  // 1 hour), and the bounds we accept from a peer.
  std::uint64_t phase1_life_seconds = 28800;
  std::uint64_t phase2_life_seconds = 3600;
  std::uint64_t phase2_life_kilobytes = 0;  // 0 = none
  std::uint64_t min_life_seconds = 60;
  // TEST ONLY (ikeview's IKEVIEW_TEST_QM_LIFETIME): when nonzero, every Quick Mode SA lives
  // at most this long, whatever was negotiated, so that tests see phase-2 rekeys in seconds.
  std::uint64_t test_phase2_life_cap_seconds = 0;
  // Rekey (the side that initiated) when this fraction of a lifetime has passed (soft
  // expiry); delete at the full lifetime (hard expiry).
  double rekey_fraction = 0.9;
  // How many times a duplicate of one peer message is answered from the cached response
  // (no amplification, cf. CVE-2016-5361).
  unsigned max_duplicate_answers = 8;
  // Quick Mode message ids remembered per IKE SA to drop replays of finished exchanges.
  std::size_t remembered_message_ids = 64;
  // INITIAL-CONTACT in Main Mode message 5/6 when we hold no other SA with the peer.
  bool send_initial_contact = true;
  // Aggressive Mode message 3 (HASH_I) encrypted with the phase-1 keys, as strongSwan,
  // libreswan and Cisco send it; RFC 2409 5.4 draws it in clear ("HDR, HASH_I"), which some
  // peers send and which we accept either way (the hash is keyed; the IV chain for Quick Mode
  // then starts from the phase-1 IV, RFC 2409 Appendix B).
  bool aggressive_encrypt_message3 = true;
  // Unauthenticated junk is logged at most this often per kind (the rest is counted).
  Millis log_rate_limit{1000};
  // Half-open responder Main Modes (no message 5 yet), overall and per source address. When
  // the table is full, a new message 1 evicts a random entry that has not yet returned our
  // cookie in message 3 (so spoofed sources only displace each other); entries whose peer
  // proved it receives our packets are never evicted, and beyond them message 1 is refused.
  std::size_t max_half_open = 1024;
  std::size_t max_half_open_per_peer = 16;
  // NAT traversal (RFC 3947 and the draft-02 code points): announced in message 1/2; the
  // side behind a NAT sends a keepalive this often (RFC 3948 4; strongSwan: 20 s).
  bool nat_traversal = true;
  Millis nat_keepalive{20000};
  // Dead Peer Detection (RFC 3706): announced in message 1/2. When the peer has been silent
  // for dpd_delay and traffic is due, we send R-U-THERE, retry every dpd_retry, and declare
  // the peer dead after dpd_tries unanswered (strongSwan: 30 s delay, 5 retransmissions).
  bool dpd = true;
  Millis dpd_delay{30000};
  Millis dpd_retry{5000};
  unsigned dpd_tries = 5;
  // IKE fragmentation as strongSwan and Windows do it (FRAGMENTATION vendor ID): announced in
  // message 1/2; with a peer that announced it too, messages whose IP datagram would exceed
  // fragment_size bytes are sent as fragments (strongSwan: charon.fragment_size = 1280).
  bool fragmentation = true;
  std::size_t fragment_size = 1280;
};

}  // namespace ipseckit::ike
