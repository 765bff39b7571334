// espd: the ESP/AH data plane over TUN (see man/espd.8).
//   espd [--tun NAME] [--mark M] [--table T] [--socket PATH]     the daemon, in the foreground
//   espd sa add|del|list ...                                       manual keying
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <string>

#include "commands.h"
#include "common/tool_common.h"
#include "daemon.h"

// --workers: 1..64 (the TUN's queue limit here), or auto: the online CPUs (at most 64).
static ipseckit::Result<unsigned> parse_workers(const std::string& s) {
  if (s == "auto") {
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return static_cast<unsigned>(std::clamp(n, 1L, 64L));
  }
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 1 || v > 64)
    return ipseckit::Error::make("usage", fmt::format("--workers: '{}' is not 1..64 or auto", s));
  return v;
}

int main(int argc, char** argv) {
  using namespace ipseckit;
  espd::DaemonOptions opt;
  CLI::App app{"espd: the ESP/AH data plane over TUN, and manual keying", "espd"};
  tool::add_store_options(app, opt.store);
  app.add_option("--tun", opt.net.tun, "TUN device name (default ipsec0)");
  app.add_option("--mark", opt.net.mark, "routing mark of espd's own packets (default 0x2a5, the one ikeview uses too)")
      ->check(CLI::Range(1u, 0xffffffffu));
  app.add_option("--table", opt.net.table, "routing table of protected destinations (default 220)")
      ->check(CLI::Range(1u, 0xfffffffeu));
  app.add_option("--priority", opt.net.priority, "priority of the 'not fwmark M lookup T' rule (default 220)")
      ->check(CLI::Range(1u, 32765u));
  app.add_option("--mtu", opt.net.mtu, "MTU of the TUN device (default 1400)")->check(CLI::Range(576u, 65535u));
  app.add_option("--natt-port", opt.natt_port, "UDP port of ESP-in-UDP (default 4500)")->check(CLI::Range(1, 65535));
  app.add_option("--natt", opt.natt,
                 "ESP-in-UDP reception: auto (the default: share the port with ikeview, SO_REUSEPORT "
                 "with kernel steering; raw where that fails), raw (a raw socket filtered on the port, "
                 "which is left to ikeview) or bind (own the port; manual keying without an IKE daemon)")
      ->check(CLI::IsMember({"auto", "bind", "raw"}));
  app.add_flag("!--no-raw", opt.raw, "do not receive raw ESP (protocol 50) and AH (51)");
  app.add_flag("!--no-offload", opt.net.offload,
               "no TUN offloads (virtio header, TSO, GRO) and no UDP GSO/GRO: one packet per syscall");
  app.add_flag("!--no-nftables", opt.nftables,
               "no nftables table: clear-text packets that policy says must be protected are not dropped, and "
               "permitted traffic is routed by destination only");
  app.add_option("--stats-interval", opt.stats_interval, "seconds between stats/espd updates (default 2)")
      ->check(CLI::Range(1u, 3600u));
  std::string workers = "1";
  app.add_option("--workers", workers,
                 "data-plane worker threads, each with its own TUN queue and NAT-T socket: 1..64 or auto "
                 "(the number of online CPUs); default 1 (no thread)");
  app.add_option("--log-level", opt.log_level, "audit, control, diag, raw or private (default control)");
  app.set_version_flag("--version", "espd " IPSECKIT_VERSION);
  app.require_subcommand(0, 1);
  auto* sa = app.add_subcommand("sa", "manual keying: espd sa add|del|list");
  auto run_sa = espd::add_sa_commands(*sa, opt.store);
  bool done = false;
  const int rc = tool::parse_cli(app, argc, argv, done);
  if (done) return rc;
  if (sa->parsed()) return run_sa();
  if (auto w = parse_workers(workers); w) {
    opt.workers = *w;
  } else {
    return tool::fail("espd", w.error());
  }
  return espd::run_daemon(opt);
}
