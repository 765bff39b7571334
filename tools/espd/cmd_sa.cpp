// espd sa add|del|list: manual keying in the store (esp/sa/<spi> + secret/esp/sa/<spi>, one
// txn). Errors name the offending option; exit 2 usage, 1 failure.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "esp/sa_record.h"
#include "policy/algorithms.h"
#include "sa_args.h"

namespace ipseckit::espd {

namespace {

using nlohmann::json;

struct ListArgs {
  bool json = false, secrets = false;
};

int run_add(const AddArgs& a, const tool::StoreOptions& so) {
  auto e = build_sa(a);
  if (!e) return tool::fail(kTool, e.error());
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  store::Txn t;
  if (!a.replace) t.compares.push_back({e->public_key, 0});
  t.ops.push_back(store::TxnOp::put_text(e->public_key, e->public_text));
  t.ops.push_back(store::TxnOp::put_text(e->secret_key, e->secret_text));
  auto r = c->txn(t);
  if (!r) {
    if (r.error().code == "conflict")
      return tool::fail(kTool, Error::make("failed", fmt::format("--spi {}: an SA with this SPI exists ({}; --replace "
                                                                 "overwrites it)",
                                                                 a.spi, e->public_key)));
    return tool::fail(kTool, r.error());
  }
  return tool::kExitOk;
}

int run_del(const std::string& spi_text, const tool::StoreOptions& so) {
  auto spi = spi_arg("SPI", spi_text);
  if (!spi) return tool::fail(kTool, spi.error());
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  auto cur = c->get(esp::sa_public_key(*spi));
  if (!cur) {
    if (cur.error().code == "not_found")
      return tool::fail(kTool,
                        Error::make("failed", fmt::format("SPI {}: no SA {}", spi_text, esp::sa_public_key(*spi))));
    return tool::fail(kTool, cur.error());
  }
  store::Txn t;
  t.compares.push_back({esp::sa_public_key(*spi), cur->revision});
  t.ops.push_back(store::TxnOp::del(esp::sa_public_key(*spi)));
  t.ops.push_back(store::TxnOp::del(esp::sa_secret_key(*spi)));
  if (auto r = c->txn(t); !r) return tool::fail(kTool, r.error());
  return tool::kExitOk;
}

std::string describe(const esp::SaRecord& r) {
  const auto& c = r.config;
  const bool out = r.meta.direction == esp::SaDirection::out;
  std::string s =
      fmt::format("{} {:<3} {:<9} {} -> {}", esp::spi_hex(esp::record_spi(c)), esp::direction_name(r.meta.direction),
                  esp::mode_name(c.mode), out ? c.local.str() : c.remote.str(), out ? c.remote.str() : c.local.str());
  if (c.ah) s += fmt::format(" ah {} spi {}", policy::json_name(c.ah->integrity), esp::spi_hex(c.ah->spi));
  if (c.esp)
    s += fmt::format(" esp {}/{}", policy::json_name(c.esp->transform.cipher),
                     policy::json_name(c.esp->transform.integrity));
  if (c.udp_encap) s += fmt::format(" udp {}:{}", c.udp_encap->local_port, c.udp_encap->remote_port);
  if (r.meta.selectors) s += fmt::format(" sel {}<->{}", r.meta.selectors->local.str(), r.meta.selectors->remote.str());
  if (r.meta.rule) s += fmt::format(" rule {}", *r.meta.rule);
  s += fmt::format(" ({})", esp::origin_name(r.meta.origin));
  return s;
}

int run_list(const ListArgs& a, const tool::StoreOptions& so) {
  if (a.secrets && ::geteuid() != 0)
    return tool::fail(kTool, Error::make("failed", "--secrets: key material is shown to root only"));
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  auto l = c->list(esp::kSaPrefix);
  if (!l) return tool::fail(kTool, l.error());
  json arr = json::array();
  std::string text;
  int bad = 0;
  for (const auto& e : l->items) {
    auto r = esp::decode_sa_public(e.value, e.key);
    if (!r) {
      tool::warn(kTool, r.error().message);
      ++bad;
      continue;
    }
    json j = e.value;
    j["key"] = e.key;
    if (a.secrets) {
      auto s = c->get(std::string("secret/") + e.key);
      j["secret"] = s ? s->value : json(nullptr);
    }
    arr.push_back(j);
    text += describe(*r) + "\n";
  }
  if (a.json)
    std::fputs((arr.dump(2) + "\n").c_str(), stdout);
  else
    std::fputs(text.c_str(), stdout);
  return bad ? tool::kExitFailed : tool::kExitOk;
}

}  // namespace

std::function<int()> add_sa_commands(CLI::App& sa, tool::StoreOptions& store) {
  auto add = std::make_shared<AddArgs>();
  auto list = std::make_shared<ListArgs>();
  auto del_spi = std::make_shared<std::string>();
  sa.require_subcommand(1);
  sa.fallthrough();  // --socket/--state-dir also after "sa add"
  auto* a = sa.add_subcommand("add", "add an SA (both store records in one transaction)");
  a->add_option("--spi", add->spi, "SPI in hex (ESP's, or AH's for an AH-only SA)")->required();
  a->add_option("--dir", add->dir, "in or out")->required();
  a->add_option("--src", add->src, "outer source address (the sender)")->required();
  a->add_option("--dst", add->dst, "outer destination address (the receiver)")->required();
  a->add_option("--mode", add->mode, "transport (default) or tunnel");
  a->add_option("--enc", add->enc,
                "ESP cipher: null, des-cbc, 3des-cbc, aes-128-cbc.., aes-128-gcm.. (or 3DES, AES128..)");
  a->add_option("--auth", add->auth, "ESP integrity: md5, sha1, sha256, sha384, sha512, aes-128-gmac.. (none for GCM)");
  a->add_option("--enc-key", add->enc_key, "encryption key (GCM/GMAC: key||salt) in hex, or @FILE");
  a->add_option("--auth-key", add->auth_key, "integrity key in hex, or @FILE");
  a->add_option("--ah", add->ah, "AH integrity algorithm (AH-only, or with --enc for AH+ESP)");
  a->add_option("--ah-spi", add->ah_spi, "AH SPI of an AH+ESP bundle");
  a->add_option("--ah-key", add->ah_key, "AH key in hex, or @FILE");
  a->add_option("--encap", add->encap, "none (raw ESP/AH, default), udp, udp:LOCALPORT:REMOTEPORT");
  a->add_option("--replay-window", add->replay_window, "0 or 64..1024 (default 64)");
  a->add_flag("--esn", add->esn, "64-bit extended sequence numbers");
  a->add_option("--local-net", add->local_net, "selector: local prefix (tunnel mode: the subnet behind us)");
  a->add_option("--remote-net", add->remote_net, "selector: remote prefix");
  a->add_option("--proto", add->proto, "selector: IP protocol (0 = any)")->check(CLI::Range(0u, 255u));
  a->add_option("--local-port", add->local_port, "selector: local port (0 = any)")->check(CLI::Range(0u, 65535u));
  a->add_option("--remote-port", add->remote_port, "selector: remote port (0 = any)")->check(CLI::Range(0u, 65535u));
  a->add_option("--rule", add->rule, "the policy rule the SA belongs to");
  a->add_option("--soft-bytes", add->soft_bytes, "lifetime limits (0 = none)");
  a->add_option("--hard-bytes", add->hard_bytes);
  a->add_option("--soft-packets", add->soft_packets);
  a->add_option("--hard-packets", add->hard_packets);
  a->add_option("--soft-seconds", add->soft_seconds);
  a->add_option("--hard-seconds", add->hard_seconds);
  a->add_flag("--replace", add->replace, "overwrite an SA with the same SPI");
  a->fallthrough();
  auto* d = sa.add_subcommand("del", "delete an SA (both records)");
  d->add_option("spi", *del_spi, "SPI in hex")->required();
  d->fallthrough();
  auto* l = sa.add_subcommand("list", "list SAs (never keys, unless --secrets as root)");
  l->add_flag("--json", list->json, "JSON: the public records, each with its \"key\"");
  l->add_flag("--secrets", list->secrets, "with --json: add each SA's key material (root only)");
  l->fallthrough();
  return [a, d, l, add, list, del_spi, &store]() {
    if (a->parsed()) return run_add(*add, store);
    if (d->parsed()) return run_del(*del_spi, store);
    if (l->parsed()) {
      if (list->secrets && !list->json) return tool::fail(kTool, usage("--secrets needs --json"));
      return run_list(*list, store);
    }
    return tool::kExitUsage;
  };
}

}  // namespace ipseckit::espd