#include "l2tp/tunnel_auth.h"

#include "crypto/random.h"
#include "l2tp/common.h"

namespace ipseckit::l2tp {

ChallengeResponse challenge_response(wire::L2tpMsgType carried_in, ByteView secret, ByteView challenge) {
  const std::array<std::uint8_t, 1> id{static_cast<std::uint8_t>(carried_in)};
  return avp_md5({ByteView(id), secret, challenge});
}

bool check_challenge_response(wire::L2tpMsgType carried_in, ByteView secret, ByteView challenge, ByteView response) {
  const ChallengeResponse want = challenge_response(carried_in, secret, challenge);
  return response.size() == want.size() && crypto::equal_ct(want, response);
}

}  // namespace ipseckit::l2tp
