// ikeview's subcommands, one file each (STYLE.md #13).
#pragma once

#include <string>

#include "common/tool_common.h"

namespace ipseckit::ikeview {

inline constexpr const char* kTool = "ikeview";

int cmd_sa(const tool::StoreOptions& so, bool as_json);
int cmd_log(const tool::StoreOptions& so, bool follow, bool as_json, bool all);
int cmd_initiate(const tool::StoreOptions& so, const std::string& peer, const std::string& rule, unsigned timeout_s,
                 bool wait, bool as_json);
int cmd_keys(const tool::StoreOptions& so, const std::string& format);
int cmd_decode(const tool::StoreOptions& so, const std::string& file, const std::string& keys, bool as_json);

}  // namespace ipseckit::ikeview
