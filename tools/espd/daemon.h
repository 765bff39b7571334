// The espd daemon: foreground, logs to stderr (systemd style), exits 0 on SIGTERM/SIGINT
// after undoing its routes, rule and TUN.
#pragma once

#include <cstdint>
#include <string>

#include "common/tool_common.h"
#include "net_setup.h"

namespace ipseckit::espd {

struct DaemonOptions {
  tool::StoreOptions store;
  NetOptions net;
  std::uint16_t natt_port = 4500;
  // ESP-in-UDP reception: "auto" (the default): the NAT-T port shared with the IKE daemon in
  // one SO_REUSEPORT group, the kernel steering ESP here (sys/natt_share.h), else as "raw": a
  // raw UDP socket filtered on the port, which is left to the IKE daemon; "bind": own the port
  // (manual keying with no IKE daemon).
  std::string natt = "auto";
  bool raw = true;              // receive raw ESP (50) and AH (51)
  bool nftables = true;         // the nftables table: inbound enforcement, outbound bypass (nft.h)
  unsigned stats_interval = 2;  // seconds between stats/espd updates
  // Data-plane worker threads, each with its own TUN queue, NAT-T socket and Datapath
  // (daemon_impl.h); 1: no thread, the main loop moves the packets.
  unsigned workers = 1;
  std::string log_level = "control";
};

int run_daemon(const DaemonOptions& opt);

}  // namespace ipseckit::espd
