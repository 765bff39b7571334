// Where the state store lives: the one place every tool resolves its socket and state dir.
//   socket:    --socket, else $IPSECKIT_SOCKET, else /run/ipseckit/agent.sock as root,
//              else $XDG_RUNTIME_DIR/ipseckit/agent.sock (/tmp/ipseckit-<uid>/agent.sock
//              when XDG_RUNTIME_DIR is unset).
//   state dir: --state-dir, else $IPSECKIT_STATE_DIR, else /var/lib/ipseckit as root,
//              else $XDG_STATE_HOME/ipseckit (default ~/.local/state/ipseckit).
// An empty option or environment variable counts as unset.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/result.h"
#include "sys/unix_socket.h"

namespace ipseckit::sys {

std::string socket_path(std::string_view option = {});
std::string state_dir(std::string_view option = {});

// The directory part of a path ("." when there is none).
std::string parent_dir(std::string_view path);

// mkdir -p; directories that are created get mode (existing ones are left alone).
Status make_dirs(const std::string& path, mode_t mode);

// Opens (creating, mode 0600) and flock()s path exclusively without waiting. Holding the
// returned descriptor holds the lock. Error code "locked" when another holder exists.
Result<UniqueFd> lock_exclusive(const std::string& path);

}  // namespace ipseckit::sys
