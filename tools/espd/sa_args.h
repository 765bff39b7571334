// `espd sa add` options -> the SA's two store records (esp/sa_record.h). Every check names
// the offending option; usage errors have code "usage" (exit 2).
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "esp/sa_record.h"

namespace ipseckit::espd {

struct AddArgs {
  std::string spi, dir, src, dst, mode = "transport";
  std::string enc, auth, enc_key, auth_key;
  std::string ah, ah_spi, ah_key;
  std::string encap = "none";
  unsigned replay_window = 64;
  bool esn = false, replace = false;
  std::string local_net, remote_net, rule;
  unsigned proto = 0, local_port = 0, remote_port = 0;
  std::uint64_t soft_bytes = 0, hard_bytes = 0, soft_packets = 0, hard_packets = 0, soft_seconds = 0, hard_seconds = 0;
};

Result<esp::EncodedSa> build_sa(const AddArgs& a);
// A hex SPI (up to 8 digits, optional 0x), 256 or more; errors name `opt`.
Result<std::uint32_t> spi_arg(const std::string& opt, const std::string& v);
Error usage(std::string msg);

}  // namespace ipseckit::espd
