// Decodes the ISAKMP datagrams of a capture in order, following each IKE SA (by initiator
// cookie) far enough to decrypt it as Wireshark does with its ikev1_decryption_table: given
// only Ka, the cipher and hash come from the clear SA payloads, the phase-1 IV from the clear
// KE payloads (RFC 2409 appendix B: hash(g^xi | g^xr), then the last CBC block of each
// message), and each Quick Mode / Informational exchange's IV from the last phase-1 block and
// its message ID (appendix B, RFC 2409 5.5). Retransmissions (the same ciphertext again) reuse
// their IV. FRAGMENT payloads are reassembled and the whole message decoded too. Memory is
// bounded (SAs and exchanges tracked); nothing here trusts the capture.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/ikev1_keys.h"
#include "ike/describe.h"
#include "wire/isakmp_fragment.h"
#include "wire/isakmp_message.h"
#include "wire/isakmp_transform.h"

namespace ipseckit::ike {

class CaptureDecoder {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxSas = 4096;        // IKE SAs followed at once
  static constexpr std::size_t kMaxExchanges = 1024;  // phase-2/informational IV chains per SA

  // Ka of the IKE SA with this initiator cookie (as `ikeview keys --format wireshark-ike`).
  void add_key(const wire::isakmp::Cookie& cky_i, Bytes ka);
  bool has_keys() const { return !m_keys.empty(); }

  // One ISAKMP datagram (without a non-ESP marker). The object is describe_header's plus
  // "encrypted", and for encrypted messages "ciphertext_length", "decrypted" and, when a key
  // was known but did not help, "decrypt_error"; "payloads" when readable; "reassembled" (a
  // whole message object) when this fragment completed one. Fails for a datagram that is not
  // a well-formed ISAKMP message.
  Result<DescribeJson> decode(ByteView datagram, Clock::time_point now);

 private:
  struct Chain {
    crypto::IvChain iv;
    Bytes last_ct, last_iv;  // a retransmission of the last message reuses last_iv
  };
  struct SaState {
    std::optional<wire::isakmp::IkeTransformAttrs> attrs;  // the phase-1 transform
    Bytes g_xi, g_xr;
    std::optional<Chain> phase1;
    std::map<std::uint32_t, Chain> phase2;  // by message ID
    wire::isakmp::FragmentReassembler fragments;
  };

  Result<DescribeJson> decode_at(ByteView datagram, Clock::time_point now, int depth);
  void learn(SaState& st, const wire::isakmp::Message& m);
  // Decrypts or says why not (empty string: no key for this SA, nothing to say).
  std::optional<std::vector<wire::isakmp::Payload>> decrypt(SaState& st, const wire::isakmp::Message& m,
                                                            std::string& why);

  std::map<wire::isakmp::Cookie, Bytes> m_keys;
  std::map<wire::isakmp::Cookie, SaState> m_sas;
};

}  // namespace ipseckit::ike
