#pragma once
// Reading small configuration and secret files in one place: the checks (regular file, size
// cap, and for secrets the 0600-style permission rule) and the errors that name the file.
#include <cstddef>
#include <string>

#include "base/result.h"
#include "base/secure_bytes.h"

namespace ipseckit {

// The whole file at `path` (at most `max_bytes`), in self-wiping memory. `what` names the file
// in errors ("private key file /etc/x.pem: ..."). With `secret`, a file that group or others
// may read or write is refused, as strongSwan and OpenSSH refuse such key files.
Result<SecureBytes> read_small_file(const std::string& path, const char* what, bool secret,
                                    std::size_t max_bytes = std::size_t{1} << 20);

}  // namespace ipseckit
