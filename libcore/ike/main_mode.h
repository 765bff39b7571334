// Main Mode (RFC 2409 5, "Identity Protection" exchange) with pre-shared keys (5.4):
//
//   Initiator                          Responder
//   HDR, SA                      -->
//                                <--   HDR, SA
//   HDR, KE, Ni                  -->
//                                <--   HDR, KE, Nr
//   HDR*, IDii, HASH_I           -->
//                                <--   HDR*, IDir, HASH_R
//
// Keys exist from message 3/4 on; messages 5 and 6 are encrypted and authenticated by
// HASH_I / HASH_R, which are verified before anything in them is acted upon.
#pragma once

#include <memory>

#include "ike/context.h"
#include "ike/ike_sa.h"
#include "ike/task.h"

namespace ipseckit::ike {

std::unique_ptr<Task> make_main_mode_initiator(IkeSa& sa, Context& ctx);
std::unique_ptr<Task> make_main_mode_responder(IkeSa& sa, Context& ctx);

}  // namespace ipseckit::ike
