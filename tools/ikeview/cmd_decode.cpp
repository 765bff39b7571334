// `ikeview decode FILE.pcap [--keys FILE] [--json]`: the ISAKMP messages of a capture, one
// per UDP datagram on port 500 or 4500 (RFC 3948 2.2: after the 4-byte non-ESP marker; 0xFF
// NAT keepalives and ESP-in-UDP are counted, not shown), decrypted with Ka from the key file
// (tshark's ikev1_decryption_table, what `ikeview keys --format wireshark-ike` prints) or, as
// root, from the store's secret/ike/mm/ records. Malformed packets give an error line naming
// the packet; a file that cannot be read is exit 1 (after what could be decoded).
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "ike/capture_decoder.h"
#include "ikeview/commands.h"
#include "ikeview/pcap_reader.h"
#include "ikeview/records.h"

namespace ipseckit::ikeview {

namespace {

namespace isakmp = wire::isakmp;

bool parse_cookie(std::string_view hex, isakmp::Cookie& c) {
  Bytes b;
  if (!from_hex(hex, b) || b.size() != c.size()) return false;
  std::copy(b.begin(), b.end(), c.begin());
  return true;
}

std::string trim(std::string s) {
  const char* ws = " \t\r\n\"";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

// "<CKY-I hex>,<Ka hex>" per line; '#' comments and blank lines allowed.
Status load_key_file(const std::string& path, ike::CaptureDecoder& d) {
  std::ifstream in(path);
  if (!in) return Error::make("failed", path + ": cannot open the key file");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto comma = line.find(',');
    isakmp::Cookie c{};
    Bytes ka;
    if (comma == std::string::npos || !parse_cookie(trim(line.substr(0, comma)), c) ||
        !from_hex(trim(line.substr(comma + 1)), ka) || ka.empty())
      return Error::make("failed", fmt::format("{}:{}: not '<initiator cookie hex>,<encryption key hex>'", path, n));
    d.add_key(c, std::move(ka));
  }
  return {};
}

// The store's phase-1 keys, when a store is running and we may read secrets; silent otherwise.
void load_store_keys(const tool::StoreOptions& so, ike::CaptureDecoder& d) {
  auto c = tool::connect(so, /*autostart=*/false);
  if (!c || !c->info().admin) return;
  auto l = c->list(kMmSecretPrefix);
  if (!l) return;
  for (const auto& e : l->items) {
    if (!e.value.is_object()) continue;
    isakmp::Cookie ck{};
    Bytes ka;
    if (parse_cookie(e.value.value("cky_i", std::string()), ck) &&
        from_hex(e.value.value("encryption_key", std::string()), ka))
      d.add_key(ck, std::move(ka));
  }
}

struct Counts {
  std::uint64_t packets = 0, isakmp = 0, decrypted = 0, esp = 0, keepalives = 0, errors = 0, other = 0, fragments = 0, reassembled = 0;
  std::uint64_t fragments6 = 0, reassembled6 = 0;  // IPv6 (RFC 8200 §4.5); the two above: IPv4
};

std::string endpoint(const wire::IpAddr& a, std::uint16_t port) {
  return a.is_v6() ? fmt::format("[{}]:{}", a.str(), port) : fmt::format("{}:{}", a.str(), port);
}

void error_line(const CapturedPacket& p, const std::string& what, bool as_json, Counts& n) {
  ++n.errors;
  if (as_json)
    std::puts(ike::dump_json(store::Json{{"packet", p.number}, {"error", what}}).c_str());
  else
    std::fputs(fmt::format("#{} error: {}\n", p.number, what).c_str(), stdout);
}

}  // namespace

int cmd_decode(const tool::StoreOptions& so, const std::string& file, const std::string& keys, bool as_json) {
  ike::CaptureDecoder dec;
  if (!keys.empty()) {
    if (auto st = load_key_file(keys, dec); !st) return tool::fail(kTool, st.error());
  } else {
    load_store_keys(so, dec);
  }
  auto rd = PcapReader::open(file);
  if (!rd) return tool::fail(kTool, rd.error());
  Counts n;
  double t0 = -1;
  int rc = tool::kExitOk;
  CapturedPacket p;
  for (;;) {
    auto more = rd->next(p);
    if (!more) {
      rc = tool::fail(kTool, more.error());
      break;
    }
    if (!*more) break;
    ++n.packets;
    if (t0 < 0) t0 = p.time;
    if (p.held) {  // a fragment: its datagram is decoded with the fragment that completes it
      ++(p.v6_fragment ? n.fragments6 : n.fragments);
      continue;
    }
    if (p.fragments) {
      ++(p.v6_fragment ? n.fragments6 : n.fragments);
      ++(p.v6_fragment ? n.reassembled6 : n.reassembled);
    }
    if (!p.why.empty()) {
      error_line(p, p.why, as_json, n);
      continue;
    }
    const bool natt = p.udp && (p.sport == 4500 || p.dport == 4500);
    if (!p.udp || (!natt && p.sport != 500 && p.dport != 500)) {
      ++n.other;
      continue;
    }
    ByteView msg = p.payload;
    if (natt) {  // RFC 3948 2.2 / 2.3
      if (msg.size() == 1 && msg[0] == 0xff) {
        ++n.keepalives;
        continue;
      }
      if (msg.size() < 4 || msg[0] || msg[1] || msg[2] || msg[3]) {
        ++n.esp;
        continue;
      }
      msg = msg.subspan(4);
    }
    const auto when = ike::CaptureDecoder::Clock::time_point(
        std::chrono::duration_cast<ike::CaptureDecoder::Clock::duration>(std::chrono::duration<double>(p.time)));
    auto o = dec.decode(msg, when);
    if (!o) {
      error_line(p, "not a valid ISAKMP message: " + o.error().message, as_json, n);
      continue;
    }
    ++n.isakmp;
    if (o->value("decrypted", false)) ++n.decrypted;
    (*o)["packet"] = p.number;
    (*o)["time"] = p.time;
    (*o)["time_relative"] = fmt::format("{:.6f}", p.time - t0);
    (*o)["src"] = endpoint(p.src, p.sport);
    (*o)["dst"] = endpoint(p.dst, p.dport);
    (*o)["natt"] = natt;
    if (p.fragments) (*o)["ip_fragments"] = p.fragments;
    if (as_json) std::puts(ike::dump_json(*o).c_str());
    else std::fputs(ike::render_message(*o).c_str(), stdout);
  }
  const std::string summary =
      fmt::format("{} packets: {} ISAKMP messages ({} decrypted), {} ESP-in-UDP, {} NAT keepalives, {} errors, "
                  "{} other packets{}{}\n",
                  n.packets, n.isakmp, n.decrypted, n.esp, n.keepalives, n.errors, n.other,
                  n.fragments ? fmt::format(", {} IPv4 fragments ({} datagrams reassembled)", n.fragments, n.reassembled)
                              : std::string(),
                  n.fragments6 ? fmt::format(", {} IPv6 fragments ({} datagrams reassembled)", n.fragments6, n.reassembled6)
                               : std::string());
  std::fputs(summary.c_str(), as_json ? stderr : stdout);
  return rc;
}

}  // namespace ipseckit::ikeview
