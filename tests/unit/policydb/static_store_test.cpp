#include <doctest/doctest.h>

#include <map>

#include "policy/defaults.h"
#include "policy/json.h"
#include "policy/spd_json.h"
#include "policydb/keys.h"
#include "policydb/spd_derive.h"
#include "policydb/static_store.h"

using namespace ipseckit;
using namespace ipseckit::policydb;
using policy::AuthKind;

namespace {

// A tiny in-memory store applying txns with compare semantics, enough to test planning.
struct FakeStore {
  store::KvMap kv;
  std::uint64_t rev = 0;

  bool apply(const store::Txn& t) {
    for (const auto& c : t.compares) {
      auto it = kv.find(c.key);
      std::uint64_t have = it == kv.end() ? 0 : it->second.revision;
      if (have != c.revision) return false;
    }
    ++rev;
    for (const auto& op : t.ops) {
      if (op.kind == store::TxnOp::Kind::put) {
        kv[op.key] = store::Slot{op.value, rev};
      } else if (op.kind == store::TxnOp::Kind::del) {
        kv.erase(op.key);
      } else {
        for (auto it = kv.lower_bound(op.key); it != kv.end() && it->first.rfind(op.key, 0) == 0;)
          it = kv.erase(it);
      }
    }
    return true;
  }
  std::vector<store::Entry> list_all(bool secrets) {
    store::ReadView v(kv, rev);
    std::vector<store::Entry> out;
    for (const auto& p : static_prefixes(secrets)) {
      auto part = v.list(p);
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  }
};

int g_guid = 0;
PlanOptions opts(AssignChange a = AssignChange::keep, std::string name = {}) {
  PlanOptions o;
  o.assign = a;
  o.assign_policy = std::move(name);
  o.new_guid = [] { return "{G" + std::to_string(++g_guid) + "}"; };
  o.now = 1000;
  return o;
}

policy::PolicySet branch(const std::string& psk) {
  policy::PolicySet s;
  auto p = policy::new_policy("Branch");
  policy::Rule r;
  r.name = "l2tp";
  r.filter_list = "l2tp filter list";
  r.filter_action = "l2tp filter action";
  policy::AuthMethod a;
  a.kind = AuthKind::psk;
  a.psk = psk;
  r.auth = {a};
  p.rules = {r};
  policy::FilterList fl;
  fl.name = r.filter_list;
  policy::Filter f;
  f.protocol = 17;
  fl.filters = {f};
  policy::FilterAction fa;
  fa.name = r.filter_action;
  fa.offers = policy::default_ipsecpol_qm_offers();
  s.policies = {p};
  s.filter_lists = {fl};
  s.filter_actions = {fa};
  return s;
}

}  // namespace

TEST_CASE("static store: write, read back with and without secrets") {
  FakeStore fs;
  auto before = decode_static(fs.list_all(true));
  REQUIRE(before.ok());
  auto txn = plan_static_write(*before, branch("s3cret"), opts(AssignChange::assign, "Branch"));
  REQUIRE(txn.ok());
  REQUIRE(fs.apply(*txn));
  CHECK(fs.kv.count("policy/Branch"));
  CHECK(fs.kv.count("filterlist/l2tp filter list"));
  CHECK(fs.kv.count("assigned"));
  // The policy document holds only a reference, the secret lives under secret/psk/.
  CHECK(fs.kv["policy/Branch"].text.find("s3cret") == std::string::npos);
  int secrets = 0;
  for (const auto& [k, v] : fs.kv)
    if (k.rfind("secret/psk/", 0) == 0) {
      ++secrets;
      CHECK(v.value()["key"] == "s3cret");
    }
  CHECK(secrets == 1);

  auto root = decode_static(fs.list_all(true));
  REQUIRE(root.ok());
  CHECK(root->assigned == std::optional<std::string>("Branch"));
  CHECK(root->set.policies[0].rules[0].auth[0].psk == "s3cret");
  auto user = decode_static(fs.list_all(false));
  REQUIRE(user.ok());
  CHECK(user->set.policies[0].rules[0].auth[0].psk.empty());
  CHECK_FALSE(user->set.policies[0].rules[0].auth[0].psk_ref.empty());
}

TEST_CASE("static store: unchanged objects are not rewritten, changed PSK replaces its secret") {
  FakeStore fs;
  REQUIRE(fs.apply(*plan_static_write(*decode_static(fs.list_all(true)), branch("s3cret"), opts())));
  auto st = decode_static(fs.list_all(true));
  REQUIRE(st.ok());
  auto same = plan_static_write(*st, st->set, opts());
  REQUIRE(same.ok());
  CHECK(same->ops.empty());
  auto changed = st->set;
  changed.policies[0].rules[0].auth[0].psk = "another-key";
  auto t = plan_static_write(*st, changed, opts());
  REQUIRE(t.ok());
  REQUIRE(fs.apply(*t));
  auto after = decode_static(fs.list_all(true));
  CHECK(after->set.policies[0].rules[0].auth[0].psk == "another-key");
  CHECK(after->set.policies[0].changed == 1000);
}

TEST_CASE("static store: concurrent change makes the txn conflict; nothing is applied") {
  FakeStore fs;
  REQUIRE(fs.apply(*plan_static_write(*decode_static(fs.list_all(true)), branch("k"), opts())));
  auto st = decode_static(fs.list_all(true));
  auto mine = st->set;
  mine.policies[0].description = "mine";
  auto t = plan_static_write(*st, mine, opts());
  REQUIRE(t.ok());
  // Someone else changes the filter list in between.
  fs.kv["filterlist/l2tp filter list"].revision = 99;
  auto snapshot = fs.kv;
  CHECK_FALSE(fs.apply(*t));
  CHECK(fs.kv.size() == snapshot.size());
}

TEST_CASE("static store: deleting the assigned policy removes it, its secrets and the assignment") {
  FakeStore fs;
  REQUIRE(fs.apply(*plan_static_write(*decode_static(fs.list_all(true)), branch("k"), opts(AssignChange::assign, "Branch"))));
  auto st = decode_static(fs.list_all(true));
  policy::PolicySet empty;
  auto t = plan_static_write(*st, empty, opts());
  REQUIRE(t.ok());
  REQUIRE(fs.apply(*t));
  CHECK(fs.kv.empty());
}

TEST_CASE("static store: invalid sets and unknown assignment are refused before any write") {
  FakeStore fs;
  auto st = decode_static(fs.list_all(true));
  auto bad = branch("k");
  bad.policies[0].rules[0].filter_list = "nope";
  auto t = plan_static_write(*st, bad, opts());
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message.find("does not exist") != std::string::npos);
  auto t2 = plan_static_write(*st, branch("k"), opts(AssignChange::assign, "Other"));
  REQUIRE_FALSE(t2.ok());
}

TEST_CASE("static store: a corrupt document is reported with its key") {
  FakeStore fs;
  fs.kv["policy/X"] = store::Slot{store::Json{{"name", 5}}, 1};
  auto st = decode_static(fs.list_all(true));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("policy/X") != std::string::npos);
}

TEST_CASE("dynamic rules: add, decode with secrets, clear") {
  FakeStore fs;
  auto set = branch("dyn-key");
  set.policies[0].name = std::string(policy::kDynamicPolicyName);
  auto t = plan_dynamic_add("{D1}", set);
  REQUIRE(t.ok());
  REQUIRE(fs.apply(*t));
  CHECK(fs.kv.count("dynamic/{D1}"));
  CHECK(fs.kv.count("secret/dynamic/{D1}/0"));
  CHECK(fs.kv["dynamic/{D1}"].text.find("dyn-key") == std::string::npos);
  store::ReadView v(fs.kv, fs.rev);
  auto all = v.list("dynamic/");
  auto sec = v.list("secret/dynamic/");
  all.insert(all.end(), sec.begin(), sec.end());
  auto d = decode_dynamic(all);
  REQUIRE(d.ok());
  REQUIRE(d->size() == 1);
  CHECK((*d)[0].id == "{D1}");
  CHECK((*d)[0].set.policies[0].rules[0].auth[0].psk == "dyn-key");
  CHECK_FALSE(fs.apply(*plan_dynamic_add("{D1}", set)));  // exists already
  REQUIRE(fs.apply(plan_dynamic_clear()));
  CHECK(fs.kv.empty());
}

TEST_CASE("SPD derivation: assigned policy + dynamic rule, stable generation") {
  FakeStore fs;
  REQUIRE(fs.apply(*plan_static_write(*decode_static(fs.list_all(true)), branch("k"), opts(AssignChange::assign, "Branch"))));
  auto dyn = branch("d");
  dyn.policies[0].name = std::string(policy::kDynamicPolicyName);
  dyn.filter_lists[0].filters[0].protocol = 6;
  REQUIRE(fs.apply(*plan_dynamic_add("{D1}", dyn)));
  std::vector<wire::IpAddr> me{*wire::IpAddr::parse("198.51.100.1")};
  store::ReadView v(fs.kv, fs.rev);
  auto ops = derive_spd_ops(v, me);
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].key == "spd/current");
  auto spd = policy::compiled_spd_from_json(ops[0].value);
  REQUIRE(spd.ok());
  CHECK(spd->assigned_policy == "Branch");
  CHECK(spd->filters.size() >= 2);
  CHECK(ops[0].value.dump().find("\"k\"") == std::string::npos);  // no PSK in the SPD
  CHECK(ops[1].value["compiled"] == true);
  // Deriving again from the same state gives the same document (no churn).
  fs.rev += 5;
  store::ReadView v2(fs.kv, fs.rev);
  CHECK(derive_spd_ops(v2, me)[0].value == ops[0].value);
  // A corrupt document: status says why.
  {  // slots hold the value as text (store/read_view.h)
    auto& slot = fs.kv["policy/Branch"];
    auto doc = slot.value();
    doc["rules"] = 7;
    slot = store::Slot(doc, slot.revision);
  }
  store::ReadView v3(fs.kv, fs.rev);
  auto bad = derive_spd_ops(v3, me);
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].key == "spd/status");
  CHECK(bad[0].value["compiled"] == false);
}
