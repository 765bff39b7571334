// Quick Mode (RFC 2409 5.5), with and without PFS, tunnel and transport mode:
//
//   Initiator                          Responder
//   HDR*, HASH(1), SA, Ni [, KE ] [, IDci, IDcr ]  -->
//                     <--  HDR*, HASH(2), SA, Nr [, KE ] [, IDci, IDcr ]
//   HDR*, HASH(3)                                  -->
//
// Every message is encrypted under the IKE SA with the IV chain of its message id, and its
// HASH is verified before anything in it is acted upon. The initiator has its SA after
// message 2, the responder after message 3 (as strongSwan does); each task's result() then
// holds the negotiated SA with its KEYMAT.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "ike/context.h"
#include "ike/events.h"
#include "ike/ike_sa.h"
#include "ike/policy_view.h"
#include "ike/task.h"

namespace ipseckit::ike {

class QuickModeTask : public Task {
 public:
  virtual std::uint32_t message_id() const = 0;
  // The negotiated SA once the task is done (keys included); taken by the engine.
  virtual std::optional<Phase2Info>& result() = 0;
  // Our proposal SPIs (an initiator matches NO-PROPOSAL-CHOSEN notifies by them).
  virtual bool owns_spi(std::uint32_t spi) const = 0;
  // Every SPI this exchange allocated (released when it fails).
  virtual std::vector<std::uint32_t> spis() const = 0;
  // The peer's first proposal SPI (a responder's failure notify names it), or 0.
  virtual std::uint32_t peer_spi() const = 0;
  // The policy this exchange served (rekeying repeats it).
  virtual const QmPolicy& qm_policy() const = 0;
};

std::unique_ptr<QuickModeTask> make_quick_mode_initiator(IkeSa& sa, Context& ctx, QmPolicy policy,
                                                         std::uint32_t message_id);
std::unique_ptr<QuickModeTask> make_quick_mode_responder(IkeSa& sa, Context& ctx, std::uint32_t message_id);

}  // namespace ipseckit::ike
