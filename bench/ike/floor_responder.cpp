// The floor responder (floor.h). Per negotiation, keyed by the peer's
// address and port (state erased by the second Delete), the responder does what RFC 2409
// requires of a PSK Main Mode + Quick Mode responder and nothing else:
//   MM1 -> MM2  a random responder cookie (RFC 2408 2.5.3)
//   MM3 -> MM4  a fresh key pair, the initiator's public value decoded (on the curve, or
//               1 < y < p - 1) and g^xy; Nr; SKEYID = prf(PSK, Ni_b | Nr_b), SKEYID_d, _a, _e
//               (RFC 2409 5); IV = SHA-1(g^xi | g^xr) (appendix B)
//   MM5 -> MM6  AES-128-CBC decryption, HASH_I computed and compared, HASH_R, encryption (5.4)
//   QM1 -> QM2  IV = SHA-1(last phase-1 block | M-ID); decryption, HASH(1) compared, Nr and an
//               SPI, KEYMAT for the two SAs (36 bytes each: 2 prf blocks), HASH(2), encryption (5.5)
//   QM3         decryption, HASH(3) compared
//   2 x Delete  IV, decryption, HASH(1) compared (RFC 2408 4.8, RFC 2409 5.7); the second ends it
// NAT-D hashes (RFC 3947) are not computed: they are not RFC 2409's. The floor initiator sends
// no valid hashes (it does no cryptography), so each comparison fails and is only counted: the
// work is the same. Datagrams go through recvmmsg/sendmmsg (sys::UdpBatch), poll(2) only when
// the socket is empty. OpenSSL's EVP API directly: algorithms fetched once, one context per
// primitive reused; per negotiation only the key pair and the derivation's context are new.
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include <fmt/format.h>

#include "floor.h"
#include "floor_crypto.h"
#include "floor_script.h"
#include "sys/udp_socket.h"

namespace ipseckit::bench {
namespace {

using namespace floor_impl;

// ---- The responder.
volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) { g_stop = 1; }

struct Neg {
  Msg next = kMm3;
  std::array<std::uint8_t, 2 * kCky> cky{};  // CKY-I | CKY-R
  std::array<std::uint8_t, kSaBody> sai_b{};
  std::array<std::uint8_t, 256> gxi{}, gxr{};
  std::array<std::uint8_t, kHashLen> skeyid{}, skeyid_d{}, skeyid_a{}, skeyid_e{};
  std::array<std::uint8_t, kBlock> iv{};   // phase 1: the CBC chain, then its last block (5.7)
  std::array<std::uint8_t, kBlock> qiv{};  // the Quick Mode's CBC chain
  std::array<std::uint8_t, 4> qm_id{};
  std::array<std::uint8_t, kNonce> qni{}, qnr{};
};

class Responder {
 public:
  Responder(bool ecp, const wire::IpAddr& me) : m_c(ecp), m_s(ecp ? kEcp256 : kModp2048) {
    idr_b = {1, 17, 500 >> 8, 500 & 0xFF};  // ID_IPV4_ADDR, UDP, port 500 (RFC 2407 4.6.2)
    std::memcpy(idr_b.data() + 4, me.bytes().data(), 4);
  }

  std::uint64_t done = 0, malformed = 0, unknown = 0, bad_ke = 0, hashes = 0, hash_mismatch = 0;
  std::size_t states() const { return m_negs.size(); }

  // One datagram in; the reply (if any) in out, its size returned (0: none).
  std::size_t handle(const sys::Endpoint& peer, ByteView d, std::uint8_t* out) {
    if (d.size() < kHdr) return ++malformed, 0;
    const std::uint64_t key = (std::uint64_t{peer.addr.v4_value()} << 16) | peer.port;
    const std::uint8_t exch = d[18];
    const bool zero_rcky = std::all_of(d.begin() + 8, d.begin() + 16, [](std::uint8_t b) { return b == 0; });
    if (exch == kIdProt && zero_rcky) {  // MM1: a new negotiation (replacing any from this peer)
      if (d.size() != m_s.size[kMm1]) return ++malformed, 0;
      return mm2(m_negs[key], d, out);
    }
    auto it = m_negs.find(key);
    if (it == m_negs.end()) return ++unknown, 0;
    Neg& n = it->second;
    const Msg want = n.next;
    const std::uint8_t want_exch = want <= kMm5 ? kIdProt : want <= kQm3 ? kQuick : kInfo;
    if (exch != want_exch || d.size() != m_s.size[want] || (want != kMm3 && !(d[19] & kEncrypted)))
      return ++malformed, 0;
    switch (want) {
      case kMm3: {
        const std::size_t r = mm4(n, d, out);
        if (r == 0) m_negs.erase(it);
        return r;
      }
      case kMm5: return mm6(n, d, out);
      case kQm1: return qm2(n, d, out);
      case kQm3: qm3(n, d); return 0;
      case kD1: info(n, d, kDelEsp); n.next = kD2; return 0;
      case kD2:
        info(n, d, kDelIsakmp);
        m_negs.erase(it);
        ++done;
        return 0;
      default: return 0;
    }
  }

 private:
  Crypto m_c;
  const Script& m_s;
  std::unordered_map<std::uint64_t, Neg> m_negs;
  std::array<std::uint8_t, kIdBody> idr_b{};
  std::array<std::uint8_t, 2048> m_pt{};  // decrypted / to be encrypted

  std::size_t mm2(Neg& n, ByteView d, std::uint8_t* out) {
    n = Neg{};
    std::memcpy(n.cky.data(), d.data(), kCky);
    if (RAND_bytes(n.cky.data() + kCky, kCky) != 1) throw std::runtime_error("RAND_bytes");
    std::memcpy(n.sai_b.data(), d.data() + kHdr + kGen, kSaBody);
    const std::size_t len = m_s.size[kMm2];
    std::memset(out, 0, len);
    std::memcpy(out, n.cky.data(), n.cky.size());
    header(out, 1, kIdProt, 0, 0, len);
    payload(out + kHdr, 13, kGen + kSaBody);  // SA (selected: the same size), then vendor IDs
    std::memcpy(out + kHdr + kGen, n.sai_b.data(), kSaBody);
    return len;
  }

  std::size_t mm4(Neg& n, ByteView d, std::uint8_t* out) {
    const std::size_t pl = m_c.pub_len();
    const std::uint8_t* gxi = d.data() + kHdr + kGen;
    const std::uint8_t* ni = gxi + pl + kGen;
    std::memcpy(n.gxi.data(), gxi, pl);
    const crypto::DhGroup mine = m_c.keygen(n.gxr.data());
    std::array<std::uint8_t, 256> gxy{};
    std::size_t gl = 0;
    const bool ok = m_c.derive(mine, gxi, gxy.data(), &gl);
    if (!ok) return ++bad_ke, 0;
    std::array<std::uint8_t, kNonce> nr{};
    if (RAND_bytes(nr.data(), kNonce) != 1) throw std::runtime_error("RAND_bytes");
    // RFC 2409 5: SKEYID = prf(pre-shared-key, Ni_b | Nr_b); SKEYID_d, _a, _e.
    static const std::string psk = "secret";  // run.sh's; its length is all that matters here
    const ByteView g(gxy.data(), gl), cky(n.cky);
    const std::array<std::uint8_t, 3> ctr{0, 1, 2};
    const ByteView key(reinterpret_cast<const std::uint8_t*>(psk.data()), psk.size());
    m_c.prf(key, {ByteView(ni, kNonce), ByteView(nr)}, n.skeyid.data());
    m_c.prf(n.skeyid, {g, cky, ByteView(ctr).first(1)}, n.skeyid_d.data());
    m_c.prf(n.skeyid, {n.skeyid_d, g, cky, ByteView(ctr).subspan(1, 1)}, n.skeyid_a.data());
    m_c.prf(n.skeyid, {n.skeyid_a, g, cky, ByteView(ctr).subspan(2, 1)}, n.skeyid_e.data());
    // Appendix B: the first IV is hash(g^xi | g^xr); AES-128's key is SKEYID_e's first 16 bytes.
    m_c.iv({ByteView(n.gxi).first(pl), ByteView(n.gxr).first(pl)}, n.iv.data());
    const std::size_t len = m_s.size[kMm4];
    std::memset(out, 0, len);
    std::memcpy(out, n.cky.data(), n.cky.size());
    header(out, 4, kIdProt, 0, 0, len);
    payload(out + kHdr, 10, kGen + pl);  // KE, Nonce, then two NAT-D
    std::memcpy(out + kHdr + kGen, n.gxr.data(), pl);
    payload(out + kHdr + kGen + pl, 20, kGen + kNonce);
    std::memcpy(out + kHdr + 2 * kGen + pl, nr.data(), kNonce);
    n.next = kMm5;
    return len;
  }

  // Decrypts d's body into m_pt with key_e and the chain iv (updated to the last block).
  std::size_t decrypt(const Neg& n, ByteView d, std::array<std::uint8_t, kBlock>& iv) {
    const std::size_t len = d.size() - kHdr;
    m_c.cbc(false, n.skeyid_e.data(), iv.data(), d.data() + kHdr, len, m_pt.data());
    std::memcpy(iv.data(), d.data() + d.size() - kBlock, kBlock);
    return len;
  }
  // Encrypts m_pt into out's body (after the header) with the chain iv (updated).
  void encrypt(const Neg& n, std::uint8_t* out, std::size_t len, std::array<std::uint8_t, kBlock>& iv) {
    m_c.cbc(true, n.skeyid_e.data(), iv.data(), m_pt.data(), len - kHdr, out + kHdr);
    std::memcpy(iv.data(), out + len - kBlock, kBlock);
  }
  void compare(const std::uint8_t* a, const std::uint8_t* b) {
    ++hashes;
    if (CRYPTO_memcmp(a, b, kHashLen) != 0) ++hash_mismatch;
  }

  std::size_t mm6(Neg& n, ByteView d, std::uint8_t* out) {
    const std::size_t pl = m_c.pub_len();
    decrypt(n, d, n.iv);
    const ByteView gxi = ByteView(n.gxi).first(pl), gxr = ByteView(n.gxr).first(pl);
    const ByteView icky = ByteView(n.cky).first(kCky), rcky = ByteView(n.cky).subspan(kCky);
    // RFC 2409 5: HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
    std::array<std::uint8_t, kHashLen> h{};
    m_c.prf(n.skeyid, {gxi, gxr, icky, rcky, n.sai_b, ByteView(m_pt.data() + kIdOff, kIdBody)}, h.data());
    compare(h.data(), m_pt.data() + kP1HashOff);
    // HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
    const std::size_t len = m_s.size[kMm6];
    std::memset(m_pt.data(), 0, len - kHdr);
    payload(m_pt.data(), 8, kGen + kIdBody);
    std::memcpy(m_pt.data() + kIdOff, idr_b.data(), kIdBody);
    payload(m_pt.data() + kP1HashOff - kGen, 0, kGen + kHashLen);
    m_c.prf(n.skeyid, {gxr, gxi, rcky, icky, n.sai_b, idr_b}, m_pt.data() + kP1HashOff);
    std::memcpy(out, n.cky.data(), n.cky.size());
    header(out, 5, kIdProt, kEncrypted, 0, len);
    encrypt(n, out, len, n.iv);  // n.iv is now phase 1's last block
    n.next = kQm1;
    return len;
  }

  std::size_t qm2(Neg& n, ByteView d, std::uint8_t* out) {
    std::memcpy(n.qm_id.data(), d.data() + 20, 4);
    m_c.iv({n.iv, n.qm_id}, n.qiv.data());  // 5.5 / appendix B: hash(last phase-1 block | M-ID)
    decrypt(n, d, n.qiv);
    // HASH(1) = prf(SKEYID_a, M-ID | SA | Ni | IDci | IDcr)
    std::array<std::uint8_t, kHashLen> h{};
    m_c.prf(n.skeyid_a, {n.qm_id, ByteView(m_pt.data() + kGen + kHashLen, kQmBody)}, h.data());
    compare(h.data(), m_pt.data() + kGen);
    std::memcpy(n.qni.data(), m_pt.data() + kQmNonceOff, kNonce);
    std::array<std::uint8_t, 4> spi_i{};
    std::memcpy(spi_i.data(), m_pt.data() + kQmSpiOff, 4);
    std::array<std::uint8_t, kNonce + 4> rnd{};  // Nr | our SPI
    if (RAND_bytes(rnd.data(), rnd.size()) != 1) throw std::runtime_error("RAND_bytes");
    std::memcpy(n.qnr.data(), rnd.data(), kNonce);
    // The reply's body: the SA (our SPI), Nr, the same IDs; HASH(2) = prf(SKEYID_a, M-ID | Ni_b |
    // SA | Nr | IDci | IDcr). The payloads after the SA and the nonce are the initiator's.
    const std::size_t len = m_s.size[kQm2];
    std::memset(m_pt.data() + kGen + kHashLen + kQmBody, 0, len - kHdr - kGen - kHashLen - kQmBody);
    std::memcpy(m_pt.data() + kQmSpiOff, rnd.data() + kNonce, 4);
    std::memcpy(m_pt.data() + kQmNonceOff, n.qnr.data(), kNonce);
    m_c.prf(n.skeyid_a, {n.qm_id, n.qni, ByteView(m_pt.data() + kGen + kHashLen, kQmBody)}, m_pt.data() + kGen);
    // KEYMAT (5.5) for the inbound and the outbound SA: 36 bytes (AES-128 + HMAC-SHA1 keys),
    // K1 = prf(SKEYID_d, protocol | SPI | Ni_b | Nr_b), K2 = prf(SKEYID_d, K1 | protocol | ...).
    const std::array<std::uint8_t, 1> esp{3};
    std::array<std::uint8_t, 2 * kHashLen> km{};
    for (ByteView spi : {ByteView(spi_i), ByteView(rnd).subspan(kNonce)}) {
      m_c.prf(n.skeyid_d, {esp, spi, n.qni, n.qnr}, km.data());
      m_c.prf(n.skeyid_d, {ByteView(km).first(kHashLen), esp, spi, n.qni, n.qnr}, km.data() + kHashLen);
    }
    std::memcpy(out, n.cky.data(), n.cky.size());
    header(out, 8, kQuick, kEncrypted, 0, len);
    std::memcpy(out + 20, n.qm_id.data(), 4);
    encrypt(n, out, len, n.qiv);
    n.next = kQm3;
    return len;
  }

  void qm3(Neg& n, ByteView d) {
    decrypt(n, d, n.qiv);
    // HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
    const std::array<std::uint8_t, 1> zero{0};
    std::array<std::uint8_t, kHashLen> h{};
    m_c.prf(n.skeyid_a, {zero, n.qm_id, n.qni, n.qnr}, h.data());
    compare(h.data(), m_pt.data() + kGen);
    n.next = kD1;
  }

  // An Informational exchange (5.7): its own IV, HASH(1) = prf(SKEYID_a, M-ID | N/D).
  void info(Neg& n, ByteView d, std::size_t del) {
    std::array<std::uint8_t, kBlock> iv{};
    m_c.iv({n.iv, d.subspan(20, 4)}, iv.data());
    decrypt(n, d, iv);
    std::array<std::uint8_t, kHashLen> h{};
    m_c.prf(n.skeyid_a, {d.subspan(20, 4), ByteView(m_pt.data() + kGen + kHashLen, del)}, h.data());
    compare(h.data(), m_pt.data() + kGen);
  }
};

int run_responder(const wire::IpAddr& listen, bool ecp256) {
  sys::UdpOptions so;
  so.bind = {listen, 500};
  so.rcvbuf = so.sndbuf = 4 << 20;
  auto s = sys::UdpSocket::open(so);
  if (!s) {
    fmt::print(stderr, "floor responder: UDP {}:500: {}\n", listen.str(), s.error().message);
    return 1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;  // no SA_RESTART: poll(2) returns
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  Responder r(ecp256, listen);
  sys::UdpBatch batch(64, 2048);
  std::array<std::uint8_t, 2048> reply{};
  std::uint64_t send_errors = 0;
  fmt::print(stderr, "floor responder: listening on {}:500 ({})\n", listen.str(), ecp256 ? "ecp256" : "modp2048");
  while (!g_stop) {
    auto got = batch.recv(*s);
    if (!got) {
      fmt::print(stderr, "floor responder: {}\n", got.error().message);
      return 1;
    }
    if (got->empty()) {
      pollfd p{s->fd(), POLLIN, 0};
      poll(&p, 1, 500);
      continue;
    }
    for (const auto& d : *got)
      if (const std::size_t n = r.handle(d.peer, ByteView(d.data.data(), d.data.size()), reply.data()))
        batch.add(ByteView(reply.data(), n), d.peer);
    if (batch.queued() != 0 && !batch.send(*s)) ++send_errors;
  }
  fmt::print(stderr,
             "floor responder: negotiations={} malformed={} unknown_peer={} bad_ke={} hashes_compared={} "
             "hash_mismatch={} states={} send_errors={}\n",
             r.done, r.malformed, r.unknown, r.bad_ke, r.hashes, r.hash_mismatch, r.states(), send_errors);
  return 0;
}

}  // namespace

int floor_responder(const wire::IpAddr& listen, bool ecp256) {
  try {
    return run_responder(listen, ecp256);
  } catch (const std::exception& e) {  // OpenSSL failed (Crypto)
    fmt::print(stderr, "floor responder: {}\n", e.what());
    return 1;
  }
}

}  // namespace ipseckit::bench
