// The exchange task interface (STYLE.md #8, after strongSwan's sa/ikev1/tasks): each IKEv1
// exchange (Main Mode initiator/responder, Quick Mode initiator/responder) is a small object
// with a private step enum. The engine owns framing, encryption, IV chains, duplicate
// detection and retransmission; a task only builds and processes payload lists:
//   build(out)  -> the next message to send (initiators start here; responders answer after
//                  process()), and
//   process(in) -> consume a decrypted, rule-checked message.
// Both return NeedMore, Done or Failed(notify, reason).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/ikev1_keys.h"
#include "wire/isakmp_message.h"
#include "wire/isakmp_rules.h"

namespace ipseckit::ike {

namespace isakmp = ipseckit::wire::isakmp;

struct Step {
  enum class Kind { need_more, done, failed };
  Kind kind = Kind::need_more;
  std::optional<isakmp::NotifyType> notify;  // failed: what the peer should be told, if anything
  std::string reason;                        // failed: for the admin

  static Step more() { return {}; }
  static Step done() { return {Kind::done, std::nullopt, {}}; }
  static Step fail(std::optional<isakmp::NotifyType> n, std::string why) { return {Kind::failed, n, std::move(why)}; }
  bool failed() const { return kind == Kind::failed; }
};

// A received message after decryption and the rule-table check.
struct InMessage {
  const isakmp::Header& header;
  const std::vector<isakmp::Payload>& payloads;
};

struct OutMessage {
  isakmp::ExchangeType exchange = isakmp::ExchangeType::main_mode;
  std::uint32_t message_id = 0;
  std::vector<isakmp::Payload> payloads;
  bool encrypt = false;
  bool expects_reply = true;  // retransmitted until the peer's next message arrives
  std::string what;           // "Main Mode message 3", for logs and give-up reasons
};

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string_view name() const = 0;  // "Main Mode initiator"
  // The expected-next-message guard: the one message kind this task accepts now, or nullopt
  // when it waits for nothing (finished, or its turn to send).
  virtual std::optional<isakmp::MessageKind> expected() const = 0;
  // True when build() has a message to produce now.
  virtual bool has_output() const = 0;
  virtual Step build(OutMessage& out) = 0;
  virtual Step process(const InMessage& in) = 0;
  // The IV chain of this exchange (Quick Mode: its own, from the message id); nullptr = the
  // IKE SA's phase-1 chain.
  virtual crypto::IvChain* iv_chain() { return nullptr; }
  virtual bool finished() const = 0;
  // Ends the exchange from outside (retransmissions gave up, the peer refused it).
  virtual void abort() = 0;
};

}  // namespace ipseckit::ike
