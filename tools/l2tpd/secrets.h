// Secret files (a password, a tunnel secret): one line, read like a users file, refused when
// group or others may read or write them (they hold secrets in clear).
#pragma once

#include <string>

#include "base/result.h"
#include "base/secure_bytes.h"

namespace ipseckit::l2tpd {

// The first line of `path` without its line end. Errors (code "failed") name the file and
// the `what` ("password file", "tunnel secret file").
Result<SecureBytes> read_secret_file(const std::string& path, const char* what);

}  // namespace ipseckit::l2tpd
