// Defaults and built-in policies. Sources: windows-cli.md §1.4 (ipseccmd defaults), §2.2/2.3
// (netsh defaults), §5.1 (polstore reginit.c example policies), §5.2 (rasman offers.c).
#include "policy/defaults.h"

#include <ctime>

namespace ipseckit::policy {
namespace {

QmOffer esp(Cipher c, Integrity i, std::uint32_t secs = 0, std::uint32_t kb = 0) {
  QmOffer o;
  o.esp = EspTransform{c, i};
  o.lifetime_seconds = secs;
  o.lifetime_kbytes = kb;
  return o;
}

QmOffer ah(Integrity i, std::uint32_t secs = 0, std::uint32_t kb = 0) {
  QmOffer o;
  o.ah = i;
  o.lifetime_seconds = secs;
  o.lifetime_kbytes = kb;
  return o;
}

QmOffer ah_esp(Integrity a, Cipher c, Integrity i) {
  QmOffer o;
  o.ah = a;
  o.esp = EspTransform{c, i};
  return o;
}

MmOffer mm(Cipher c, Integrity h, DhGroup g) { return MmOffer{c, h, g, 28800, 0}; }

// Well-known GUIDs of the built-in objects (polstore reginit.c), suffix -70FA-11D1-864C-14A300000000.
std::string builtin_guid(const char* prefix) { return std::string("{") + prefix + "-70FA-11D1-864C-14A300000000}"; }

Filter mirrored_me_any(std::uint8_t proto, std::string description) {
  Filter f;
  f.src = Address::me();
  f.dst = Address::any();
  f.protocol = proto;
  f.mirrored = true;
  f.description = std::move(description);
  return f;
}

AuthMethod kerberos() { return AuthMethod{}; }

}  // namespace

std::vector<QmOffer> default_ipsecpol_qm_offers() {
  return {esp(Cipher::des3, Integrity::sha1), esp(Cipher::des3, Integrity::md5), esp(Cipher::des, Integrity::sha1),
          esp(Cipher::des, Integrity::md5)};
}

std::vector<MmOffer> default_mm_offers() {
  return {mm(Cipher::des3, Integrity::sha1, DhGroup::modp1024), mm(Cipher::des3, Integrity::md5, DhGroup::modp1024),
          mm(Cipher::des, Integrity::sha1, DhGroup::modp768), mm(Cipher::des, Integrity::md5, DhGroup::modp768)};
}

std::vector<MmOffer> default_netsh_mm_offers() {
  return {mm(Cipher::des3, Integrity::sha1, DhGroup::modp1024), mm(Cipher::des3, Integrity::md5, DhGroup::modp1024),
          mm(Cipher::des3, Integrity::sha1, DhGroup::modp2048)};
}

std::vector<QmOffer> default_netsh_qm_offers() {
  return {esp(Cipher::des3, Integrity::sha1), esp(Cipher::des3, Integrity::md5)};
}

std::vector<QmOffer> default_response_offers() {
  return {esp(Cipher::des3, Integrity::sha1), esp(Cipher::des3, Integrity::md5), esp(Cipher::des, Integrity::sha1),
          esp(Cipher::des, Integrity::md5),   ah(Integrity::sha1),                 ah(Integrity::md5)};
}

DefaultResponseRule default_response_rule() {
  DefaultResponseRule r;
  r.active = true;
  r.offers = default_response_offers();
  r.auth = {kerberos()};
  return r;
}

Policy new_policy(std::string name) {
  Policy p;
  p.name = std::move(name);
  p.poll_interval_seconds = 180 * 60;
  p.isakmp.offers = default_mm_offers();
  p.default_response = default_response_rule();
  p.changed = static_cast<std::int64_t>(std::time(nullptr));
  return p;
}

PolicySet builtin_policies() {
  PolicySet s;

  FilterList all_ip;
  all_ip.id = builtin_guid("7238523A");
  all_ip.name = "All IP Traffic";
  all_ip.description =
      "Matches all IP packets from this computer to any other computer, except broadcast, multicast, Kerberos, "
      "RSVP and ISAKMP (IKE).";
  all_ip.filters = {mirrored_me_any(0, "")};
  FilterList all_icmp;
  all_icmp.id = builtin_guid("72385235");
  all_icmp.name = "All ICMP Traffic";
  all_icmp.description = "Matches all ICMP packets between this computer and any other computer.";
  all_icmp.filters = {mirrored_me_any(1, "")};
  s.filter_lists = {all_icmp, all_ip};

  FilterAction permit;
  permit.id = builtin_guid("72385239");
  permit.name = "Permit";
  permit.description = "Permit unsecured IP packets to pass through.";
  permit.action = ActionType::permit;

  FilterAction request;
  request.id = builtin_guid("72385238");
  request.name = "Request Security (Optional)";
  request.description = "Accepts unsecured communication, but requests clients to establish trust and security "
                        "methods.  Will communicate insecurely to untrusted clients if they do not respond to request.";
  request.action = ActionType::negotiate;
  request.inpass = true;
  request.soft = true;
  request.offers = {esp(Cipher::des3, Integrity::sha1, 900, 100000), esp(Cipher::des, Integrity::sha1, 900, 100000),
                    ah(Integrity::sha1, 300, 100000), ah(Integrity::md5, 300, 100000)};

  FilterAction require;
  require.id = builtin_guid("72385237");
  require.name = "Require Security";
  require.description = "Accepts unsecured communication, but always requires clients to establish trust and "
                        "security methods. Does NOT communicate with untrusted clients.";
  require.action = ActionType::negotiate;
  require.inpass = true;
  require.offers = {esp(Cipher::des3, Integrity::sha1, 900, 100000), esp(Cipher::des3, Integrity::md5, 900, 100000),
                    esp(Cipher::des, Integrity::sha1, 900, 100000), esp(Cipher::des, Integrity::md5, 900, 100000)};
  s.filter_actions = {permit, request, require};

  auto base = [](const char* guid, const char* name, const char* desc) {
    Policy p = new_policy(name);
    p.id = builtin_guid(guid);
    p.description = desc;
    p.changed = 0;
    return p;
  };
  auto rule = [](const char* guid, const char* name, const char* list, const char* action) {
    Rule r;
    r.id = builtin_guid(guid);
    r.name = name;
    r.filter_list = list;
    r.filter_action = action;
    r.auth = {kerberos()};
    return r;
  };

  Policy client = base("72385236", kBuiltinClient,
                       "Communicate normally (unsecured). Use the default response rule to negotiate with servers "
                       "that request security. Only the requested protocol and port traffic with that server is "
                       "secured.");
  Policy server = base("72385230", kBuiltinServer,
                       "For all IP traffic, always request security using Kerberos trust. Allow unsecured "
                       "communication with clients that do not respond to request.");
  server.rules = {rule("72385231", "Permit unsecure ICMP packets to pass through.", "All ICMP Traffic", "Permit"),
                  rule("72385232", "Request Security (Optional) Rule", "All IP Traffic",
                       "Request Security (Optional)")};
  Policy secure = base("7238523C", kBuiltinSecureServer,
                       "For all IP traffic, always require security using Kerberos trust. Do NOT allow unsecured "
                       "communication with untrusted clients.");
  secure.rules = {rule("7238523D", "Permit unsecure ICMP packets to pass through.", "All ICMP Traffic", "Permit"),
                  rule("7238523E", "Require Security", "All IP Traffic", "Require Security")};
  s.policies = {client, secure, server};
  s.sort();
  return s;
}

std::vector<QmOffer> l2tp_qm_offers(L2tpEncryption e) {
  // rasman offers.c, in this order; every offer 3600 s / 250000 KB, no PFS, transport mode.
  std::vector<QmOffer> strong = {
      esp(Cipher::des3, Integrity::md5),
      esp(Cipher::des3, Integrity::sha1),
      ah_esp(Integrity::sha1, Cipher::des3, Integrity::none),
      ah_esp(Integrity::md5, Cipher::des3, Integrity::none),
      ah_esp(Integrity::sha1, Cipher::des3, Integrity::sha1),
      ah_esp(Integrity::md5, Cipher::des3, Integrity::md5),
      esp(Cipher::des, Integrity::md5),
      esp(Cipher::des, Integrity::sha1),
      ah_esp(Integrity::sha1, Cipher::des, Integrity::none),
      ah_esp(Integrity::md5, Cipher::des, Integrity::none),
      ah_esp(Integrity::sha1, Cipher::des, Integrity::sha1),
      ah_esp(Integrity::md5, Cipher::des, Integrity::md5),
  };
  std::vector<QmOffer> none = {esp(Cipher::none, Integrity::sha1), esp(Cipher::none, Integrity::md5),
                               ah(Integrity::sha1), ah(Integrity::md5)};
  std::vector<QmOffer> out;
  switch (e) {
    case L2tpEncryption::require: out = strong; break;
    case L2tpEncryption::optional:
      out = strong;
      out.insert(out.end(), none.begin(), none.end());
      break;
    case L2tpEncryption::require_max:
      // The source lists ESP 3DES/MD5 twice (its comment says the second is 3DES/SHA); we
      // keep the intended 3DES/SHA1 rather than a duplicate.
      out = {esp(Cipher::des3, Integrity::md5),
             esp(Cipher::des3, Integrity::sha1),
             ah_esp(Integrity::sha1, Cipher::des3, Integrity::none),
             ah_esp(Integrity::md5, Cipher::des3, Integrity::none),
             ah_esp(Integrity::sha1, Cipher::des3, Integrity::sha1),
             ah_esp(Integrity::md5, Cipher::des3, Integrity::md5)};
      break;
    case L2tpEncryption::none: out = none; break;
  }
  for (auto& o : out) {
    o.lifetime_seconds = 3600;
    o.lifetime_kbytes = 250000;
  }
  return out;
}

std::string l2tp_qm_policy_name(L2tpEncryption e) {
  switch (e) {
    case L2tpEncryption::require: return "L2TP Require Encryption Quick Mode Policy";
    case L2tpEncryption::optional: return "L2TP Optional Encryption Quick Mode Policy";
    case L2tpEncryption::require_max: return "L2TP Require Max Encryption Quick Mode Policy";
    case L2tpEncryption::none: return "L2TP No Encryption Quick Mode Policy";
  }
  return "";
}

PolicySet l2tp_policy(const L2tpPolicyOptions& opt) {
  PolicySet s;
  Policy p = new_policy(kL2tpPolicyName);
  p.description = "The IPsec policy RAS plumbs for L2TP (KB 248750): UDP 1701, transport mode.";
  p.isakmp.offers = default_mm_offers();  // "L2TP Main Mode Policy": same four, 28800 s
  p.isakmp.soft_sa_expiry_seconds = 28800;
  p.default_response.active = false;
  p.changed = 0;

  FilterList fl;
  auto udp = [](Address src, std::uint16_t sport, Address dst, std::uint16_t dport, bool mirrored) {
    Filter f;
    f.src = std::move(src);
    f.dst = std::move(dst);
    f.protocol = 17;
    f.src_port = sport;
    f.dst_port = dport;
    f.mirrored = mirrored;
    return f;
  };
  const bool optional = opt.encryption == L2tpEncryption::optional || opt.encryption == L2tpEncryption::none;
  if (opt.role == L2tpRole::server) {
    if (optional) {
      fl.name = "L2TP Server Outbound Filter";
      fl.filters = {udp(Address::me(), 0, Address::any(), 1701, false),
                    udp(Address::any(), 1701, Address::me(), 0, false)};
      fl.filters[0].description = "L2TP Server Outbound Filter";
      fl.filters[1].description = "L2TP Server Inbound Filter";
    } else {
      fl.name = "L2TP Server Inbound and Outbound Filter";
      fl.filters = {udp(Address::me(), 0, Address::any(), 1701, true)};
      fl.filters[0].description = fl.name;
    }
  } else {
    fl.name = "L2TP Client Inbound and Outbound Filter";
    Address server = opt.server ? Address::host(*opt.server) : Address::any();
    fl.filters = {udp(Address::me(), 1701, server, 0, true)};
    fl.filters[0].description = fl.name;
  }

  FilterAction fa;
  fa.name = l2tp_qm_policy_name(opt.encryption);
  fa.action = ActionType::negotiate;
  fa.offers = l2tp_qm_offers(opt.encryption);

  Rule r;
  r.name = "L2TP";
  r.filter_list = fl.name;
  r.filter_action = fa.name;
  if (opt.auth.empty()) {
    AuthMethod cert;
    cert.kind = AuthKind::cert;
    r.auth = {cert};
  } else {
    r.auth = opt.auth;
  }
  p.rules = {r};
  s.policies = {p};
  s.filter_lists = {fl};
  s.filter_actions = {fa};
  return s;
}

}  // namespace ipseckit::policy
