// libpcap offline reading and the link/IP/UDP layers (pcap_reader.h).
#include "ikeview/pcap_reader.h"

#include <pcap/pcap.h>

#include <array>
#include <map>
#include <tuple>
#include <vector>

#include "esp/reassembly.h"

namespace ipseckit::ikeview {

namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

constexpr int kDltRawAlt = 14;    // DLT_RAW on OpenBSD-derived values
constexpr int kDltRaw101 = 101;   // LINKTYPE_RAW, should libpcap hand it through
constexpr int kDltSll2 = 276;     // DLT_LINUX_SLL2 (older headers lack the macro)
constexpr int kDltIpv4 = 228, kDltIpv6 = 229;

// The network layer's start and its ethertype (0 = guess from the version nibble).
bool link_layer(int dlt, ByteView pkt, std::size_t& off, std::uint16_t& ethertype, std::string& why) {
  off = 0;
  ethertype = 0;
  switch (dlt) {
    case DLT_EN10MB:
      if (pkt.size() < 14) return why = "truncated Ethernet header", false;
      ethertype = be16(&pkt[12]);
      off = 14;
      while ((ethertype == 0x8100 || ethertype == 0x88a8) && pkt.size() >= off + 4) {  // 802.1Q / 802.1ad
        ethertype = be16(&pkt[off + 2]);
        off += 4;
      }
      return true;
    case DLT_LINUX_SLL:  // 16 bytes, protocol last
      if (pkt.size() < 16) return why = "truncated Linux cooked header", false;
      ethertype = be16(&pkt[14]);
      off = 16;
      return true;
    case kDltSll2:  // 20 bytes, protocol first
      if (pkt.size() < 20) return why = "truncated Linux cooked v2 header", false;
      ethertype = be16(&pkt[0]);
      off = 20;
      return true;
    case DLT_NULL:
    case DLT_LOOP:  // 4-byte address family; the IP version nibble says enough
      if (pkt.size() < 4) return why = "truncated loopback header", false;
      off = 4;
      return true;
    case DLT_RAW:
    case kDltRawAlt:
    case kDltRaw101:
    case kDltIpv4:
    case kDltIpv6:
      return true;
    default:
      why = "link type " + std::to_string(dlt) + " not supported";
      return false;
  }
}

// IPv4 (RFC 791) / IPv6 (RFC 8200) down to UDP (RFC 768); fills out or says why not.
void network_layer(ByteView ip, std::uint16_t ethertype, CapturedPacket& out) {
  if (ip.empty()) return;
  const int version = ip[0] >> 4;
  if (ethertype != 0 && ethertype != 0x0800 && ethertype != 0x86dd) return;  // ARP etc.: not ours
  std::uint8_t proto = 0;
  ByteView l4;
  if (version == 4) {
    const std::size_t ihl = (ip[0] & 0x0f) * 4u;
    if (ip.size() < 20 || ihl < 20 || ip.size() < ihl) return void(out.why = "truncated IPv4 header");
    const std::size_t total = be16(&ip[2]);
    if (total < ihl || total > ip.size()) return void(out.why = "IPv4 total length " + std::to_string(total) +
                                                             " exceeds the captured " + std::to_string(ip.size()));
    // (fragments reach here only reassembled: PcapReader::next)
    proto = ip[9];
    out.src = wire::IpAddr::v4((std::uint32_t{ip[12]} << 24) | (std::uint32_t{ip[13]} << 16) | (std::uint32_t{ip[14]} << 8) | ip[15]);
    out.dst = wire::IpAddr::v4((std::uint32_t{ip[16]} << 24) | (std::uint32_t{ip[17]} << 16) | (std::uint32_t{ip[18]} << 8) | ip[19]);
    l4 = ip.subspan(ihl, total - ihl);
  } else if (version == 6) {
    if (ip.size() < 40) return void(out.why = "truncated IPv6 header");
    const std::size_t plen = be16(&ip[4]);
    if (40 + plen > ip.size()) return void(out.why = "IPv6 payload length exceeds the captured bytes");
    std::array<std::uint8_t, 16> a{}, b{};
    std::copy(ip.begin() + 8, ip.begin() + 24, a.begin());
    std::copy(ip.begin() + 24, ip.begin() + 40, b.begin());
    out.src = wire::IpAddr::v6(a);
    out.dst = wire::IpAddr::v6(b);
    proto = ip[6];
    l4 = ip.subspan(40, plen);
    for (int hops = 0; hops < 8 && (proto == 0 || proto == 43 || proto == 60 || proto == 44); ++hops) {
      if (l4.size() < 8) return void(out.why = "truncated IPv6 extension header");
      if (proto == 44) {  // fragment header (RFC 8200 4.5)
        if ((be16(&l4[2]) & 0xfff9) != 0) return void(out.why = "IPv6 fragment (not reassembled)");
        proto = l4[0];
        l4 = l4.subspan(8);
        continue;
      }
      const std::size_t len = (l4[1] + 1u) * 8u;
      if (len > l4.size()) return void(out.why = "truncated IPv6 extension header");
      proto = l4[0];
      l4 = l4.subspan(len);
    }
  } else {
    if (ethertype != 0) out.why = "IP version " + std::to_string(version);
    return;
  }
  if (proto != 17) return;
  if (l4.size() < 8) return void(out.why = "truncated UDP header");
  const std::size_t ulen = be16(&l4[4]);
  if (ulen < 8 || ulen > l4.size()) return void(out.why = "UDP length " + std::to_string(ulen) + " does not fit");
  out.sport = be16(&l4[0]);
  out.dport = be16(&l4[2]);
  out.payload = l4.subspan(8, ulen - 8);
  out.udp = true;
}

}  // namespace

struct PcapReader::Impl {
  pcap_t* p = nullptr;
  std::uint64_t count = 0;
  std::string path;
  esp::Reassembler reassembler;  // bounded: 16 datagrams in progress, 5 s of capture time each
  std::vector<std::uint8_t> whole = std::vector<std::uint8_t>(65535 + 40);  // IPv6: header + 65,535
  // Fragments seen per datagram (IPv4: source, destination, protocol, ID; IPv6: source,
  // destination, Identification), for the "fragments" count.
  std::map<std::array<std::uint8_t, 37>, std::uint32_t> seen;
  ~Impl() {
    if (p) pcap_close(p);
  }
};

PcapReader::PcapReader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PcapReader::PcapReader(PcapReader&&) noexcept = default;
PcapReader& PcapReader::operator=(PcapReader&&) noexcept = default;
PcapReader::~PcapReader() = default;

Result<PcapReader> PcapReader::open(const std::string& path) {
  std::array<char, PCAP_ERRBUF_SIZE> err{};
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->p = pcap_open_offline(path.c_str(), err.data());
  if (!impl->p) {  // libpcap names the file in some messages already
    const std::string why = err.data();
    return Error::make("failed", why.find(path) == std::string::npos ? path + ": " + why : why);
  }
  return PcapReader(std::move(impl));
}

int PcapReader::link_type() const { return pcap_datalink(m_impl->p); }

Result<bool> PcapReader::next(CapturedPacket& out) {
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(m_impl->p, &h, &data);
  if (rc == PCAP_ERROR_BREAK) return false;  // end of file
  if (rc != 1)
    return Error::make("failed", m_impl->path + ": after packet " + std::to_string(m_impl->count) + ": " +
                                     pcap_geterr(m_impl->p));
  out = CapturedPacket{};
  out.number = ++m_impl->count;
  out.time = static_cast<double>(h->ts.tv_sec) + static_cast<double>(h->ts.tv_usec) / 1e6;
  const ByteView pkt(data, h->caplen);
  std::size_t off = 0;
  std::uint16_t ethertype = 0;
  if (!link_layer(link_type(), pkt, off, ethertype, out.why)) return true;
  ByteView ip = pkt.subspan(off);
  // IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) fragments: esp::Reassembler, bounded.
  esp::V6Chain chain;
  const bool v4frag = (ethertype == 0 || ethertype == 0x0800) && esp::is_ipv4_fragment(ip);
  const bool v6frag = !v4frag && (ethertype == 0 || ethertype == 0x86dd) && esp::is_ipv6_fragment(ip) &&
                      esp::walk_v6_chain(ip, chain) && chain.frag_off != 0 && chain.frag_off + 8 <= ip.size();
  if (v4frag || v6frag) {
    std::array<std::uint8_t, 37> key{};  // family, then the fields named above
    key[0] = v4frag ? 4 : 6;
    if (v4frag) {
      for (std::size_t i = 0; i < 8; ++i) key[1 + i] = ip[12 + i];  // source, destination
      key[9] = ip[9];
      key[10] = ip[4];  // Identification
      key[11] = ip[5];
    } else {
      for (std::size_t i = 0; i < 32; ++i) key[1 + i] = ip[8 + i];  // source, destination
      for (std::size_t i = 0; i < 4; ++i) key[33 + i] = ip[chain.frag_off + 4 + i];  // Identification
    }
    out.v6_fragment = v6frag;
    if (m_impl->seen.size() > 4 * esp::Reassembler::kSlots) m_impl->seen.clear();  // bounded like the slots
    const std::uint32_t count = ++m_impl->seen[key];
    const auto ms = static_cast<std::uint64_t>(h->ts.tv_sec) * 1000 + static_cast<std::uint64_t>(h->ts.tv_usec) / 1000;
    const std::size_t n = m_impl->reassembler.add(ip, ms, m_impl->whole);
    if (n == 0) {
      out.held = true;
      return true;
    }
    m_impl->seen.erase(key);
    out.fragments = count;
    ip = ByteView(m_impl->whole.data(), n);
  }
  network_layer(ip, ethertype, out);
  return true;
}

}  // namespace ipseckit::ikeview
