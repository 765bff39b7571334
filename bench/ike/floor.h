// The floor responder (floor_responder.cpp): an IKEv1 responder that does only the work every
// responder must do for a PSK Main Mode + Quick Mode (RFC 2409 5.4, 5.5, no PFS; IKE AES-128-CBC /
// HMAC-SHA1, ESP AES-128 / SHA-1) and two Informational deletes: a fresh DH key pair and the
// shared secret, the key derivations, hashes, encryption and decryption, random values, and
// the UDP datagrams, with OpenSSL's EVP API directly (the DH through libcore's DhGroup, the
// cheapest here: floor_crypto.h). No parsing beyond fixed offsets, no
// proposal selection, policy, store or log: what a negotiation per responder CPU-second can
// reach at best here. Its initiator (floor_initiator) does no cryptography: it sends
// precomputed datagrams of the sizes a real negotiation with ikeview has (floor_script.h), and
// measures like the real load generator (measure.h).
#pragma once

#include <cstdint>
#include <vector>

#include "wire/ip_address.h"

namespace ipseckit::bench {

// Answers on listen:500 until SIGTERM/SIGINT, then prints its counters on stderr; 0 ok, 1 error.
int floor_responder(const wire::IpAddr& listen, bool ecp256);

struct FloorLoad {
  wire::IpAddr target;
  std::uint32_t first = 0, last = 0;  // source addresses (host order), one socket each on UDP 500
  bool ecp256 = false;
  unsigned inflight = 32;
  double warmup = 2, seconds = 10;
  std::vector<int> pids;  // the responder's, for its CPU seconds
};

// Prints one key=value line as the real load generator does; 0 when negotiations completed.
int floor_initiator(const FloorLoad& o);

}  // namespace ipseckit::bench
