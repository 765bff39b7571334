// ikeview: the IKEv1 daemon and its views. See man/ikeview.8.
//   ikeview daemon [--listen ADDR] [--mark M] [--log-level L] [--cert F --key F] [--ca F]... [--ca-dir D]
//   ikeview sa [--json] | log [--follow] [--json] [--all] | initiate --peer ADDR [--rule NAME]
//   ikeview keys --format wireshark-ike|wireshark-esp | decode FILE [--keys FILE] [--json]
#include <string>

#include "ikeview/commands.h"
#include "ikeview/daemon.h"

using namespace ipseckit;
using namespace ipseckit::ikeview;

int main(int argc, char** argv) {
  CLI::App app{"ikeview: IKEv1 (Main Mode, Quick Mode) daemon, SAs, event log and keys", "ikeview"};
  app.set_version_flag("--version", std::string("ikeview (ipseckit) ") + IPSECKIT_VERSION);
  DaemonOptions d;
  tool::add_store_options(app, d.store);
  app.require_subcommand(1);

  auto* dm = app.add_subcommand("daemon", "Run the IKE daemon in the foreground (logs on stderr)");
  dm->add_option("--listen", d.listen, "Local address for UDP 500/4500 (default: all IPv4 and IPv6 addresses)");
  std::string mark;
  dm->add_option("--mark", mark, "Routing mark (SO_MARK) on every socket, decimal or 0x hex (default 0x2a5, espd's default; 0: none)");
  dm->add_option("--log-level", d.log_level, "audit, control, diag or raw (default control)");
  dm->add_option("--request-timeout", d.request_timeout_s, "Seconds an initiate/acquire may take (default 40)")
      ->check(CLI::Range(1u, 3600u));
  dm->add_option("--dpd-delay", d.dpd_delay_s,
                 "Dead peer detection: seconds of silence before R-U-THERE (RFC 3706; default 30, 0: off)")
      ->check(CLI::Range(0u, 86400u));
  dm->add_option("--dpd-timeout", d.dpd_timeout_s,
                 "Seconds without an R-U-THERE-ACK before the peer is declared dead (default 25)")
      ->check(CLI::Range(1u, 3600u));
  dm->add_option("--cert", d.certs.cert_file, "Our certificate (PEM; may hold the chain: ours first, then intermediates)");
  dm->add_option("--key", d.certs.key_file, "Our private key (PEM or DER, unencrypted; mode 0600)");
  dm->add_option("--ca", d.certs.ca_files, "Trusted CA certificates and intermediates (PEM/DER file; repeatable)");
  dm->add_option("--ca-dir", d.certs.ca_dir, "Directory of CA certificates (*.pem, *.crt, *.cer, *.der)");

  bool as_json = false, follow = false, all = false, no_wait = false;
  auto* sa = app.add_subcommand("sa", "Phase-1 and phase-2 SAs");
  sa->add_flag("--json", as_json, "JSON array, one object per SA");
  auto* lg = app.add_subcommand("log", "The IKE event log (Oakley log)");
  lg->add_flag("-f,--follow", follow, "Keep printing new entries");
  lg->add_flag("--json", as_json, "JSON (an array; one object per line with --follow)");
  lg->add_flag("--all", all, "Entries of every subsystem, not only ike");
  std::string peer, rule, format;
  unsigned timeout = 45;
  auto* in = app.add_subcommand("initiate", "Ask the daemon to negotiate with a peer and wait for the outcome");
  in->add_option("--peer", peer, "The peer's address")->required();
  in->add_option("--rule", rule, "The rule to negotiate (default: the first that reaches the peer)");
  in->add_option("--timeout", timeout, "Seconds to wait (default 45)")->check(CLI::Range(1u, 3600u));
  in->add_flag("--no-wait", no_wait, "Return once the request is stored");
  in->add_flag("--json", as_json, "Print the outcome as JSON");
  auto* ks = app.add_subcommand("keys", "Keys for Wireshark/tshark (root only)");
  ks->add_option("--format", format, "wireshark-ike (ikev1_decryption_table) or wireshark-esp (esp_sa)")
      ->required()
      ->check(CLI::IsMember({"wireshark-ike", "wireshark-esp"}));
  std::string pcap_file, key_file;
  auto* dc = app.add_subcommand("decode", "Decode (and decrypt) the ISAKMP messages of a capture file");
  dc->add_option("FILE", pcap_file, "A pcap/pcapng capture")->required();
  dc->add_option("--keys", key_file, "ikev1_decryption_table lines (as `ikeview keys --format wireshark-ike` prints)");
  dc->add_flag("--json", as_json, "One JSON object per message (per line)");

  bool done = false;
  int rc = tool::parse_cli(app, argc, argv, done);
  if (done) return rc;
  if (dm->parsed()) {
    if (!mark.empty()) {
      try {
        std::size_t pos = 0;
        unsigned long v = std::stoul(mark, &pos, 0);
        if (pos != mark.size() || v > 0xffffffffUL) throw std::out_of_range(mark);
        d.mark = v ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(v)) : std::nullopt;
      } catch (const std::exception&) {
        return tool::fail(kTool, Error::make("usage", "--mark: not a 32-bit number: '" + mark + "'"));
      }
    }
    return run_daemon(d);
  }
  if (sa->parsed()) return cmd_sa(d.store, as_json);
  if (lg->parsed()) return cmd_log(d.store, follow, as_json, all);
  if (dc->parsed()) return cmd_decode(d.store, pcap_file, key_file, as_json);
  if (in->parsed()) return cmd_initiate(d.store, peer, rule, timeout, !no_wait, as_json);
  return cmd_keys(d.store, format);
}
