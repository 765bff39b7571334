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
  // Unauthenticated junk is logged at most this often per kind (the rest is counted).
  Millis log_rate_limit{1000};
};

}  // namespace ipseckit::ike
