#include "l2tp/common.h"

#include <algorithm>

#include "crypto/hash.h"

namespace ipseckit::l2tp {

std::string PeerAddr::str() const {
  return addr.is_v6() ? "[" + addr.str() + "]:" + std::to_string(port) : addr.str() + ":" + std::to_string(port);
}

std::array<std::uint8_t, 16> avp_md5(std::initializer_list<ByteView> parts) {
  Bytes all;
  for (ByteView p : parts) all.insert(all.end(), p.begin(), p.end());
  const Bytes d = crypto::digest(crypto::HashAlg::md5, all);
  std::array<std::uint8_t, 16> out{};
  std::copy_n(d.begin(), out.size(), out.begin());
  return out;
}

Error make_error(std::string code, std::string message, std::uint16_t result, std::uint16_t error) {
  return Error::make(std::move(code), std::move(message), wire::l2tp_proto(result, error));
}

}  // namespace ipseckit::l2tp
