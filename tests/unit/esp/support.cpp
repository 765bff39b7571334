#include "support.h"

#include <doctest/doctest.h>

#include <fstream>
#include <stdexcept>

#include "esp/ip_headers.h"
#include "esp/suite.h"
#include "wire/ip_packet.h"
#include "wire/ipv6.h"
#include "wire/udp.h"


namespace esptest {

Bytes hex(std::string_view s) {
  Bytes b;
  if (!ipseckit::from_hex(s, b)) throw std::invalid_argument("bad hex: " + std::string(s));
  return b;
}

const std::string& VecRecord::str(const std::string& k) const {
  auto it = fields.find(k);
  if (it == fields.end()) throw std::out_of_range("vector field missing: " + k + " at " + where());
  return it->second;
}

Bytes VecRecord::bytes(const std::string& k) const {
  const std::string& v = str(k);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return Bytes(v.begin() + 1, v.end() - 1);
  return hex(v);
}

std::uint64_t VecRecord::hexnum(const std::string& k) const { return std::stoull(str(k), nullptr, 16); }
std::uint64_t VecRecord::num(const std::string& k) const { return std::stoull(str(k), nullptr, 10); }

std::string VecRecord::where() const {
  auto it = fields.find("source");
  return (it == fields.end() ? std::string("?") : it->second) + " (line " + std::to_string(line) + ")";
}

std::vector<VecRecord> load_vectors(const std::string& file) {
  const std::string path = std::string(IPSECKIT_SOURCE_DIR) + "/tests/vectors/esp/" + file;
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::vector<VecRecord> out;
  VecRecord cur;
  std::string line;
  int n = 0;
  auto flush = [&] {
    if (!cur.fields.empty()) out.push_back(cur);
    cur = VecRecord{};
  };
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line[0] == '#') continue;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      flush();
      continue;
    }
    const auto eq = line.find(" = ");
    REQUIRE_MESSAGE(eq != std::string::npos, path << ":" << n << ": expected 'name = value'");
    if (cur.fields.empty()) cur.line = n;
    auto value = line.substr(eq + 3);
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    cur.fields[line.substr(0, eq)] = value;
  }
  flush();
  return out;
}

void ScriptRng::fill(std::span<std::uint8_t> out) {
  for (auto& b : out) {
    if (!m_q.empty()) {
      b = m_q.front();
      m_q.pop_front();
    } else {
      b = m_next++;
    }
  }
}

wire::IpAddr addr(const char* s) {
  auto a = wire::IpAddr::parse(s);
  REQUIRE_MESSAGE(a.has_value(), "bad address " << s);
  return *a;
}

namespace {

void fill_payload(std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(i);
}

Bytes ipv4_with(const char* src, const char* dst, std::uint8_t proto, const Bytes& l4, bool df, std::uint8_t tos) {
  wire::Ipv4Header h;
  h.tos = tos;
  h.total_length = static_cast<std::uint16_t>(20 + l4.size());
  h.id = 0x1234;
  h.flags_frag = df ? 0x4000 : 0;
  h.ttl = 64;
  h.protocol = proto;
  h.src = addr(src);
  h.dst = addr(dst);
  Bytes p = wire::serialize_ipv4_header(h);
  p.insert(p.end(), l4.begin(), l4.end());
  return p;
}

Bytes ipv6_with(const char* src, const char* dst, std::uint8_t proto, const Bytes& l4, std::uint8_t tclass) {
  wire::Ipv6Header h;
  h.traffic_class = tclass;
  h.payload_length = static_cast<std::uint16_t>(l4.size());
  h.next_header = proto;
  h.hop_limit = 64;
  h.src = addr(src);
  h.dst = addr(dst);
  Bytes p(40);
  wire::write_ipv6_header(p, h);
  p.insert(p.end(), l4.begin(), l4.end());
  return p;
}

Bytes udp_segment(const char* src, const char* dst, std::size_t payload) {
  Bytes u(8 + payload);
  wire::write_udp_header(u, wire::UdpHeader{1701, 1701, static_cast<std::uint16_t>(u.size()), 0});
  fill_payload(u.data() + 8, payload);
  wire::set_udp_checksum(u, addr(src), addr(dst));
  return u;
}

Bytes tcp_syn(const char* src, const char* dst, std::uint16_t mss) {
  Bytes t = hex("3039005000000001000000006002ffff00000000020405b4");
  t[22] = static_cast<std::uint8_t>(mss >> 8);
  t[23] = static_cast<std::uint8_t>(mss);
  const std::uint16_t c = wire::transport_checksum(addr(src), addr(dst), 6, t);
  t[16] = static_cast<std::uint8_t>(c >> 8);
  t[17] = static_cast<std::uint8_t>(c);
  return t;
}

}  // namespace

Bytes ipv4_udp(const char* src, const char* dst, std::size_t payload, bool df, std::uint8_t tos) {
  return ipv4_with(src, dst, 17, udp_segment(src, dst, payload), df, tos);
}
Bytes ipv6_udp(const char* src, const char* dst, std::size_t payload, std::uint8_t tclass) {
  return ipv6_with(src, dst, 17, udp_segment(src, dst, payload), tclass);
}
Bytes ipv4_tcp_syn(const char* src, const char* dst, std::uint16_t mss) {
  return ipv4_with(src, dst, 6, tcp_syn(src, dst, mss), true, 0);
}
Bytes ipv6_tcp_syn(const char* src, const char* dst, std::uint16_t mss) {
  return ipv6_with(src, dst, 6, tcp_syn(src, dst, mss), 0);
}

bool l4_checksum_ok(ByteView packet) {
  auto info = esp::inspect_received(packet);
  if (!info || (info->proto != 6 && info->proto != 17)) return false;
  ByteView l4 = packet.subspan(info->header_len, info->total_len - info->header_len);
  if (info->proto == 17 && !info->v6 && l4.size() >= 8 && l4[6] == 0 && l4[7] == 0) return true;
  return wire::transport_checksum(info->src, info->dst, info->proto, l4) == 0;
}

ipseckit::SecureBytes key_bytes(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed * 31 + i * 7 + 1);
  return ipseckit::SecureBytes(std::move(b));
}

esp::SaConfig clone(const esp::SaConfig& c) {
  esp::SaConfig o;
  o.mode = c.mode;
  if (c.esp) o.esp = esp::EspParams{c.esp->spi, c.esp->transform, c.esp->keymat.clone()};
  if (c.ah) o.ah = esp::AhParams{c.ah->spi, c.ah->integrity, c.ah->keymat.clone()};
  o.local = c.local;
  o.remote = c.remote;
  o.udp_encap = c.udp_encap;
  o.esn = c.esn;
  o.replay_window = c.replay_window;
  o.lifetime = c.lifetime;
  o.outer_ttl = c.outer_ttl;
  o.df = c.df;
  o.path_mtu = c.path_mtu;
  o.clamp_mss = c.clamp_mss;
  o.seq_start = c.seq_start;
  o.replay_top = c.replay_top;
  return o;
}

esp::SaConfig make_config(esp::Mode mode, std::optional<policy::EspTransform> esp_t,
                          std::optional<policy::Integrity> ah, const char* local, const char* remote) {
  esp::SaConfig c;
  c.mode = mode;
  c.local = addr(local);
  c.remote = addr(remote);
  if (esp_t) {
    auto s = esp::esp_suite(*esp_t);
    REQUIRE_MESSAGE(s.ok(), s.error().message);
    c.esp = esp::EspParams{0x1000 + static_cast<std::uint32_t>(esp_t->cipher) * 16 +
                               static_cast<std::uint32_t>(esp_t->integrity),
                           *esp_t, key_bytes(s->keymat(), 3)};
    if (!s->integrity() && !ah) c.replay_window = 0;
  }
  if (ah) {
    auto s = esp::ah_suite(*ah);
    REQUIRE_MESSAGE(s.ok(), s.error().message);
    c.ah = esp::AhParams{0x2000 + static_cast<std::uint32_t>(*ah), *ah, key_bytes(s->key, 5)};
  }
  return c;
}

esp::PacketBuf Buf::load(ByteView pkt, std::size_t headroom) {
  std::copy(pkt.begin(), pkt.end(), mem.begin() + static_cast<std::ptrdiff_t>(headroom));
  return esp::PacketBuf(mem, headroom, pkt.size());
}

esp::SaConfig mirrored(const esp::SaConfig& c) {
  esp::SaConfig m = clone(c);
  std::swap(m.local, m.remote);
  if (m.udp_encap) std::swap(m.udp_encap->local_port, m.udp_encap->remote_port);
  return m;
}

std::unique_ptr<Pair> make_pair(const esp::SaConfig& sender, const esp::SaConfig& receiver) {
  auto p = std::make_unique<Pair>();
  esp::SaEnv env{&p->clock, &p->rng, [q = p.get()](const esp::SaEvent& e) { q->events.push_back(e); }};
  auto o = esp::OutboundSa::create(clone(sender), env);
  REQUIRE_MESSAGE(o.ok(), o.error().message);
  auto i = esp::InboundSa::create(clone(receiver), env);
  REQUIRE_MESSAGE(i.ok(), i.error().message);
  p->out = std::make_unique<esp::OutboundSa>(std::move(o).value());
  p->in = std::make_unique<esp::InboundSa>(std::move(i).value());
  return p;
}

}  // namespace esptest
