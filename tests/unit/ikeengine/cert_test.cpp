// RSA-signature authentication with X.509 certificates (RFC 2409 5.1), with the test PKI in
// tests/vectors/ike/certs (gen.sh): gw-a is signed by the root, gw-b by an intermediate;
// "rogue" claims gw-b's name and address under another root.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "crypto/x509.h"
#include "ike/cert_id.h"
#include "unit/ikeengine/harness.h"

using namespace iketest;
namespace x509 = ipseckit::crypto::x509;

namespace {

std::string read(const std::string& name) {
  std::ifstream f(std::string(IPSECKIT_SOURCE_DIR) + "/tests/vectors/ike/certs/" + name);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Bytes cert(const std::string& name) {
  auto c = x509::certs_from_pem(read(name));
  REQUIRE(c.ok());
  return c->front();
}

LocalCredential credential(const std::string& leaf, std::vector<std::string> extra = {}) {
  LocalCredential c;
  c.chain.push_back(cert(leaf + ".pem"));
  for (const auto& e : extra) c.chain.push_back(cert(e));
  auto k = x509::key_from_pem(read(leaf + ".key"));
  REQUIRE(k.ok());
  c.key = std::move(*k);
  return c;
}

const char* kRoot = "C=US, O=ipseckit test, CN=Test Root CA";

policy::AuthMethod cert_auth(const char* ca) {
  policy::AuthMethod m;
  m.kind = policy::AuthKind::cert;
  m.ca = ca;
  return m;
}

// Both sides authenticate with certificates and trust the test root.
void use_certs(Pair& p, const char* ca = kRoot) {
  for (Host* h : {&p.a, &p.b}) {
    h->policy.mm->auth = {cert_auth(ca)};
    h->creds.anchors = {cert("root.pem"), cert("other-root.pem")};
  }
  p.a.creds.mine = credential("a");
  p.b.creds.mine = credential("b", {"inter.pem"});
}

}  // namespace

TEST_CASE("x509 helpers: DN text, comparison, chains") {
  CHECK(*x509::subject(cert("b.pem")) == "C=US, O=ipseckit test, CN=gw-b");
  CHECK(*x509::issuer(cert("b.pem")) == "C=US, O=ipseckit test, CN=Test Intermediate CA");
  CHECK(x509::dn_equal("CN=Test Root CA, O=ipseckit test, C=US", kRoot));
  CHECK(x509::dn_equal("c=us,o=IPSECKIT TEST,cn=test root ca", kRoot));
  CHECK(!x509::dn_equal("C=US, O=ipseckit test, CN=Other Root CA", kRoot));
  const std::vector<Bytes> roots{cert("root.pem")}, inter{cert("inter.pem")};
  CHECK(x509::verify_chain(cert("a.pem"), {}, roots).ok());
  CHECK(x509::verify_chain(cert("b.pem"), inter, roots).ok());
  auto missing = x509::verify_chain(cert("b.pem"), {}, roots);
  REQUIRE(!missing.ok());
  CHECK(missing.error().message == "unable to get local issuer certificate");
  CHECK(cert_matches_id(cert("a.pem"), isakmp::IdPayload::address(ip("198.51.100.1"))));
  CHECK(!cert_matches_id(cert("a.pem"), isakmp::IdPayload::address(ip("198.51.100.2"))));
  auto k = x509::key_from_pem(read("a.key"));
  REQUIRE(k.ok());
  CHECK(x509::key_matches(cert("a.pem"), *k));
  CHECK(!x509::key_matches(cert("b.pem"), *k));
  const Bytes hash(20, 0x5A);
  auto sig = x509::sign_hash(*k, hash);
  REQUIRE(sig.ok());
  CHECK(x509::verify_hash(cert("a.pem"), hash, *sig).ok());
  CHECK(!x509::verify_hash(cert("b.pem"), hash, *sig).ok());
}

TEST_CASE("x509 helpers: files (PEM or DER), CA flags, short names, an intermediate as trust anchor") {
  const Bytes b = cert("b.pem"), inter = cert("inter.pem"), root = cert("root.pem");
  auto der = x509::certs_from_file_data(b);  // one DER certificate
  REQUIRE(der.ok());
  CHECK(der->size() == 1);
  CHECK(der->front() == b);
  const std::string chain = read("b.pem") + read("inter.pem");
  auto pem = x509::certs_from_file_data(ByteView(reinterpret_cast<const std::uint8_t*>(chain.data()), chain.size()));
  REQUIRE(pem.ok());
  CHECK(pem->size() == 2);
  const std::string junk = "not a certificate";
  CHECK(!x509::certs_from_file_data(ByteView(reinterpret_cast<const std::uint8_t*>(junk.data()), junk.size())).ok());
  auto k = x509::key_from_file_data(SecureBytes(read("b.key")));
  REQUIRE(k.ok());
  auto kder = x509::key_from_file_data(*k);  // DER PKCS#8 reads back
  REQUIRE(kder.ok());
  CHECK(x509::key_matches(b, *kder));
  auto bad = x509::key_from_file_data(SecureBytes(std::string_view("-----BEGIN PRIVATE KEY-----\nAAAA\n")));
  REQUIRE(!bad.ok());
  CHECK(bad.error().message.find("AAAA") == std::string::npos);  // never quotes the key
  CHECK(x509::is_ca(root));
  CHECK(x509::is_ca(inter));
  CHECK(!x509::is_ca(b));
  CHECK(x509::is_self_signed(root));
  CHECK(!x509::is_self_signed(inter));
  CHECK(x509::short_name(b) == "CN=gw-b");
  CHECK(x509::names_ip(cert("a.pem"), Bytes{198, 51, 100, 1}));
  CHECK(!x509::names_ip(cert("a.pem"), Bytes{198, 51, 100, 2}));
  // A rule may trust the intermediate itself: a chain that reaches it is enough.
  const std::vector<Bytes> only_inter{inter};
  CHECK(x509::verify_chain(b, {}, only_inter).ok());
  CHECK(!x509::verify_chain(cert("a.pem"), {}, only_inter).ok());  // gw-a is the root's, not the intermediate's
}

TEST_CASE("Main Mode with RSA signatures: chains with an intermediate, CERT/CR/SIG, then Quick Mode") {
  Pair p;
  use_certs(p);
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p1_up.size() == 1);
  REQUIRE(p.b.p1_up.size() == 1);
  CHECK(p.a.p1_up[0].auth == isakmp::IkeAuthMethod::rsa_sig);
  CHECK(p.a.p1_up[0].peer_id.find("ID_DER_ASN1_DN") == 0);
  CHECK_MESSAGE(p.a.logged("peer certificate 'C=US, O=ipseckit test, CN=gw-b' (issued by 'C=US, O=ipseckit test, CN=Test "
                           "Intermediate CA') verified"),
                p.a.log_text());
  CHECK(p.b.logged("peer certificate 'C=US, O=ipseckit test, CN=gw-a' (issued by 'C=US, O=ipseckit test, CN=Test Root CA') "
                   "verified"));
  CHECK(p.a.p2_up.size() == 1);
  CHECK(p.b.p2_up.size() == 1);
  // Message 4 carried a CR naming the root (the rule's CA DN).
  auto m4 = isakmp::decode_message(p.net.sent[3].data);
  REQUIRE(m4.ok());
  const auto* cr = m4->find(isakmp::PayloadType::cr);
  REQUIRE(cr);
  CHECK(cr->as<isakmp::CrPayload>()->authority == *x509::subject_der(cert("root.pem")));
}

TEST_CASE("the trust anchor is chosen by the rule's CA DN") {
  Pair p;
  use_certs(p, "CN=Other Root CA, O=ipseckit test, C=US");  // neither gw cert chains to it
  p.start();
  p.initiate();
  p.net.run();
  CHECK(p.b.p1_up.empty());
  CHECK_MESSAGE(p.b.logged("Main Mode message 5: peer certificate 'C=US, O=ipseckit test, CN=gw-a' issued by 'C=US, "
                           "O=ipseckit test, CN=Test Root CA': not trusted by rule 'gw' (trusts 'CN=Other Root CA, "
                           "O=ipseckit test, C=US'): unable to get local issuer certificate"),
                p.b.log_text());
  // The refusal reaches the initiator authenticated, which gives up at once.
  CHECK(p.a.logged("the peer refused phase 1 with INVALID-CERTIFICATE"));
  CHECK(p.a.engine->ike_sas().empty());
  CHECK(p.a.p1_up.empty());
}

TEST_CASE("an untrusted responder certificate is refused by the initiator with a clear reason") {
  Pair p;
  use_certs(p);
  p.b.creds.mine = credential("rogue");  // gw-b's name and address, another root
  p.b.creds.anchors = {cert("root.pem")};
  p.start();
  p.initiate();
  p.net.run();
  CHECK(p.a.p1_up.empty());
  CHECK_MESSAGE(p.a.logged("Main Mode message 6: peer certificate 'C=US, O=ipseckit test, CN=gw-b' issued by 'C=US, "
                           "O=ipseckit test, CN=Other Root CA': not trusted by rule 'gw' (trusts 'C=US, O=ipseckit test, "
                           "CN=Test Root CA'): unable to get local issuer certificate"),
                p.a.log_text());
  CHECK(p.a.engine->ike_sas().empty());
  // b had answered message 5 already; our authenticated INVALID-CERTIFICATE removes its SA.
  CHECK(p.b.logged("the peer refused phase 1 with INVALID-CERTIFICATE"));
  CHECK(p.b.engine->ike_sas().empty());
  CHECK(p.b.p1_down.size() == 1);
}

TEST_CASE("a chain without its intermediate is refused") {
  Pair p;
  use_certs(p);
  p.b.creds.mine = credential("b");  // the intermediate is not sent
  p.start();
  p.initiate();
  p.net.run();
  CHECK(p.a.p1_up.empty());
  CHECK(p.a.logged("peer certificate 'C=US, O=ipseckit test, CN=gw-b' issued by 'C=US, O=ipseckit test, CN=Test "
                   "Intermediate CA': not trusted by rule 'gw' (trusts 'C=US, O=ipseckit test, CN=Test Root CA'): unable "
                   "to get local issuer certificate"));
}

TEST_CASE("the peer is identified by its certificate: its DN is the peer ID the admin sees") {
  Pair p;
  use_certs(p);
  p.b.creds.mine = credential("a");  // b presents a's certificate (and key): ID and cert agree, but...
  p.start();
  p.initiate();
  p.net.run();
  // ...the ID is the DN of gw-a, which is fine for the signature; what it proves is the
  // identity gw-a. The SA comes up with peer ID gw-a's DN, which the admin sees.
  REQUIRE(p.a.p1_up.size() == 1);
  CHECK(p.a.logged("peer certificate 'C=US, O=ipseckit test, CN=gw-a'"));
}

TEST_CASE("certificates required but none configured: the reason names the rule") {
  Pair p;
  use_certs(p);
  p.a.creds.mine.reset();
  p.start();
  p.initiate();
  p.net.run();
  CHECK(p.a.p1_up.empty());
  CHECK_MESSAGE(p.a.logged("rule 'gw' authenticates with certificates but no certificate and private key are configured"),
                p.a.log_text());
}

namespace {
bool is_fragment(const Datagram& d) {
  ByteView v = d.data;
  if (d.to.port == kNatTPort && v.size() >= 4) v = v.subspan(4);
  return v.size() > 16 && v[16] == static_cast<std::uint8_t>(isakmp::PayloadType::fragment);
}
}  // namespace

TEST_CASE("IKE fragmentation: messages 5/6 with certificates go as fragments and are reassembled") {
  Pair p;
  use_certs(p);
  p.a.cfg.fragment_size = p.b.cfg.fragment_size = 576;
  p.start();
  p.initiate();
  // Lose the second fragment of the first fragmented message once: the whole message is
  // retransmitted (every fragment) and the exchange completes.
  bool dropped = false;
  int seen = 0;
  p.net.filter = [&](Datagram& d) {
    if (!dropped && is_fragment(d) && ++seen == 2) {
      dropped = true;
      return false;
    }
    return true;
  };
  p.net.run();
  CHECK(p.a.p1_up.empty());
  p.net.elapse(Millis(3000), Millis(1000));
  REQUIRE(p.a.p1_up.size() == 1);
  REQUIRE(p.b.p1_up.size() == 1);
  CHECK(p.a.p2_up.size() == 1);
  CHECK(dropped);
  CHECK(p.a.engine->stats().fragments_sent >= 6);  // MM5 twice, at 3+ fragments each
  CHECK(p.b.engine->stats().fragments_sent >= 3);  // MM6
  CHECK(p.a.engine->stats().fragments_received >= 3);
  for (const auto& d : p.net.sent) CHECK(d.data.size() + 28 <= 576);
  CHECK(p.b.logged("reassembled a"));
}

TEST_CASE("no fragments to a peer that did not announce FRAGMENTATION; stray fragments are dropped") {
  Pair p;
  use_certs(p);
  p.b.cfg.fragmentation = false;
  p.a.cfg.fragment_size = 576;
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p1_up.size() == 1);
  for (const auto& d : p.net.sent) CHECK(!is_fragment(d));
  // A fragment for the SA, which did not negotiate fragmentation, is refused without state.
  auto frags = isakmp::fragment_message(p.net.sent[4].data, 7, 200);
  REQUIRE(frags.ok());
  const auto before = p.b.engine->stats().unknown_sa;
  p.net.send(p.a.addr, p.b.addr, frags->front());
  p.net.run();
  CHECK(p.b.engine->stats().unknown_sa == before + 1);
  CHECK(p.b.engine->stats().fragments_received == 0);
}

TEST_CASE("without injected credentials, cert methods are not offered; PSK of the same rule still works") {
  Pair p;
  for (Host* h : {&p.a, &p.b}) h->policy.mm->auth = {cert_auth(kRoot), psk("correct horse battery staple")};
  p.a.start();
  p.b.start();
  // Engines built without EngineEnv::credentials.
  for (Host* h : {&p.a, &p.b}) {
    Callbacks cb;
    cb.phase1_up = [h](const Phase1Info& i) { h->p1_up.emplace_back(); h->p1_up.back().auth = i.auth; };
    h->engine = std::make_unique<Engine>(h->cfg, EngineEnv{*h->transport, p.net.clock, h->rng, h->dh, h->secrets, h->policy},
                                         std::move(cb));
  }
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p1_up.size() == 1);
  CHECK(p.a.p1_up[0].auth == isakmp::IkeAuthMethod::psk);
  auto m1 = isakmp::decode_message(p.net.sent[0].data);
  REQUIRE(m1.ok());
  CHECK(m1->find(isakmp::PayloadType::sa)->as<isakmp::SaPayload>()->proposals[0].transforms.size() == 1);
}
