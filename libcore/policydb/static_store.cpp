#include "policydb/static_store.h"

#include <fmt/format.h>

#include <set>

#include "policy/json.h"
#include "policydb/keys.h"

namespace ipseckit::policydb {
namespace {

using policy::AuthKind;
using policy::AuthMethod;
using policy::PolicySet;
using store::Compare;
using store::TxnOp;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

Error corrupt(const std::string& key, const std::string& why) {
  return Error::make("failed", fmt::format("store key '{}' is not a valid document: {}", key, why));
}

// Calls fn(AuthMethod&) for every authentication method of every policy in the set.
template <class Set, class Fn>
void for_each_auth(Set& set, Fn fn) {
  for (auto& p : set.policies) {
    for (auto& r : p.rules)
      for (auto& a : r.auth) fn(a);
    for (auto& a : p.default_response.auth) fn(a);
  }
}

policy::JsonOptions ref_form() { return policy::JsonOptions{policy::PskOutput::ref}; }

class TxnBuilder {
 public:
  explicit TxnBuilder(const std::map<std::string, std::uint64_t>& revs) : m_revs(revs) {}
  void compare_all() {
    for (const auto& [k, r] : m_revs) add_compare(k, r);
  }
  void put(const std::string& key, store::Json value) {
    if (!m_revs.count(key)) add_compare(key, 0);
    m_txn.ops.push_back(TxnOp::put(key, std::move(value)));
  }
  void del(const std::string& key) {
    if (m_revs.count(key)) m_txn.ops.push_back(TxnOp::del(key));
  }
  store::Txn take() { return std::move(m_txn); }

 private:
  void add_compare(const std::string& k, std::uint64_t r) {
    if (m_compared.insert(k).second) m_txn.compares.push_back(Compare{k, r});
  }
  const std::map<std::string, std::uint64_t>& m_revs;
  std::set<std::string> m_compared;
  store::Txn m_txn;
};

template <class T>
std::map<std::string, store::Json> docs_by_name(const std::vector<T>& v) {
  std::map<std::string, store::Json> m;
  for (const auto& o : v) m[o.name] = store::Json::parse(policy::to_json(o).dump());
  return m;
}

std::map<std::string, store::Json> policy_docs(const PolicySet& s) {
  std::map<std::string, store::Json> m;
  for (const auto& p : s.policies) m[p.name] = store::Json::parse(policy::to_json(p, ref_form()).dump());
  return m;
}

// Puts changed documents, deletes removed ones.
void diff(TxnBuilder& b, std::string_view prefix, const std::map<std::string, store::Json>& before,
          const std::map<std::string, store::Json>& after) {
  for (const auto& [name, doc] : after) {
    auto it = before.find(name);
    if (it == before.end() || it->second != doc) b.put(std::string(prefix) + name, doc);
  }
  for (const auto& [name, doc] : before)
    if (!after.count(name)) b.del(std::string(prefix) + name);
}

}  // namespace

std::vector<std::string> static_prefixes(bool with_secrets) {
  std::vector<std::string> p{std::string(kPolicyPrefix), std::string(kFilterListPrefix),
                             std::string(kFilterActionPrefix), std::string(kAssignedKey)};
  if (with_secrets) p.emplace_back(kStaticPskPrefix);
  return p;
}

Result<StaticState> decode_static(const std::vector<store::Entry>& entries) {
  StaticState st;
  std::map<std::string, std::string> secrets;
  for (const auto& e : entries) {
    st.revisions[e.key] = e.revision;
    if (starts_with(e.key, kPolicyPrefix)) {
      auto p = policy::policy_from_json(e.value, e.key);
      if (!p) return corrupt(e.key, p.error().message);
      if (policy_key(p->name) != e.key) return corrupt(e.key, fmt::format("it names policy '{}'", p->name));
      st.set.policies.push_back(*p);
    } else if (starts_with(e.key, kFilterListPrefix)) {
      auto fl = policy::filter_list_from_json(e.value, e.key);
      if (!fl) return corrupt(e.key, fl.error().message);
      if (filter_list_key(fl->name) != e.key) return corrupt(e.key, fmt::format("it names '{}'", fl->name));
      st.set.filter_lists.push_back(*fl);
    } else if (starts_with(e.key, kFilterActionPrefix)) {
      auto fa = policy::filter_action_from_json(e.value, e.key);
      if (!fa) return corrupt(e.key, fa.error().message);
      if (filter_action_key(fa->name) != e.key) return corrupt(e.key, fmt::format("it names '{}'", fa->name));
      st.set.filter_actions.push_back(*fa);
    } else if (starts_with(e.key, kStaticPskPrefix)) {
      if (!e.value.is_object() || !e.value.contains("key") || !e.value["key"].is_string())
        return corrupt(e.key, "expected {\"key\": \"...\"}");
      secrets[e.key] = e.value["key"].get<std::string>();
    } else if (e.key == kAssignedKey) {
      if (!e.value.is_object() || !e.value.contains("policy") || !e.value["policy"].is_string())
        return corrupt(e.key, "expected {\"policy\": NAME}");
      st.assigned = e.value["policy"].get<std::string>();
    }
  }
  for_each_auth(st.set, [&](AuthMethod& a) {
    if (a.kind == AuthKind::psk && !a.psk_ref.empty()) {
      auto it = secrets.find(a.psk_ref);
      if (it != secrets.end()) a.psk = it->second;
    }
  });
  st.set.sort();
  return st;
}

Result<store::Txn> plan_static_write(const StaticState& before, const PolicySet& after_in, const PlanOptions& opt) {
  PolicySet after = after_in;
  after.sort();
  if (auto v = policy::validate(after); !v) return v.error();
  if (opt.assign == AssignChange::assign && !after.find_policy(opt.assign_policy))
    return Error::make("failed", fmt::format("cannot assign policy '{}': it does not exist", opt.assign_policy));

  // Secrets known before (ref -> key), to detect changed keys and unreferenced refs.
  std::map<std::string, std::string> old_secrets;
  for_each_auth(before.set, [&](const AuthMethod& a) {
    if (a.kind == AuthKind::psk && !a.psk_ref.empty()) old_secrets[a.psk_ref] = a.psk;
  });

  TxnBuilder b(before.revisions);
  b.compare_all();
  std::set<std::string> live_refs;
  Status failed;
  for_each_auth(after, [&](AuthMethod& a) {
    if (a.kind != AuthKind::psk) return;
    if (a.psk_ref.empty()) {
      if (a.psk.empty()) return;  // validate() already refused this
      a.psk_ref = std::string(kStaticPskPrefix) + opt.new_guid();
    }
    if (!live_refs.insert(a.psk_ref).second) {
      // Two methods share one ref (copied rule): give the copy its own secret.
      a.psk_ref = std::string(kStaticPskPrefix) + opt.new_guid();
      live_refs.insert(a.psk_ref);
    }
    auto it = old_secrets.find(a.psk_ref);
    if (a.psk.empty()) {
      if (it == old_secrets.end() && !before.revisions.count(a.psk_ref))
        failed = Error::make("failed", fmt::format("pre-shared key reference '{}' does not exist", a.psk_ref));
      return;
    }
    if (it == old_secrets.end() || it->second != a.psk) b.put(a.psk_ref, store::Json{{"key", a.psk}});
  });
  if (!failed) return failed.error();
  for (const auto& [ref, key] : old_secrets)
    if (!live_refs.count(ref)) b.del(ref);

  if (opt.touch_changed) {
    auto old_docs = policy_docs(before.set);
    for (auto& p : after.policies) {
      auto it = old_docs.find(p.name);
      auto doc = store::Json::parse(policy::to_json(p, ref_form()).dump());
      if (it == old_docs.end() || it->second != doc) p.changed = opt.now;
    }
  }
  diff(b, kPolicyPrefix, policy_docs(before.set), policy_docs(after));
  diff(b, kFilterListPrefix, docs_by_name(before.set.filter_lists), docs_by_name(after.filter_lists));
  diff(b, kFilterActionPrefix, docs_by_name(before.set.filter_actions), docs_by_name(after.filter_actions));

  std::string assigned_key(kAssignedKey);
  if (opt.assign == AssignChange::assign) {
    if (before.assigned != opt.assign_policy)
      b.put(assigned_key, store::Json{{"policy", opt.assign_policy}, {"since", opt.now}});
  } else if (opt.assign == AssignChange::unassign) {
    b.del(assigned_key);
  } else if (before.assigned && !after.find_policy(*before.assigned)) {
    b.del(assigned_key);  // the assigned policy was deleted
  }
  return b.take();
}

Result<std::vector<DynamicEntry>> decode_dynamic(const std::vector<store::Entry>& entries) {
  std::vector<DynamicEntry> out;
  std::map<std::string, std::string> secrets;
  for (const auto& e : entries) {
    if (starts_with(e.key, kDynamicPskPrefix) && e.value.is_object() && e.value.contains("key") &&
        e.value["key"].is_string())
      secrets[e.key] = e.value["key"].get<std::string>();
  }
  for (const auto& e : entries) {
    if (!starts_with(e.key, kDynamicPrefix)) continue;
    auto set = policy::policy_set_from_json(e.value);
    if (!set) return corrupt(e.key, set.error().message);
    DynamicEntry d{e.key.substr(kDynamicPrefix.size()), *set, e.revision};
    for_each_auth(d.set, [&](AuthMethod& a) {
      if (a.kind == AuthKind::psk && !a.psk_ref.empty()) {
        auto it = secrets.find(a.psk_ref);
        if (it != secrets.end()) a.psk = it->second;
      }
    });
    out.push_back(std::move(d));
  }
  return out;
}

namespace {

Result<store::Txn> dynamic_write(const std::string& id, const PolicySet& set_in, std::uint64_t revision) {
  PolicySet set = set_in;
  if (auto v = policy::validate(set); !v) return v.error();
  store::Txn t;
  std::string key = std::string(kDynamicPrefix) + id;
  std::string secret_prefix = std::string(kDynamicPskPrefix) + id + "/";
  t.compares.push_back(Compare{key, revision});
  t.ops.push_back(TxnOp::delete_prefix(secret_prefix));
  int n = 0;
  for_each_auth(set, [&](AuthMethod& a) {
    if (a.kind != AuthKind::psk || a.psk.empty()) return;
    a.psk_ref = secret_prefix + std::to_string(n++);
    t.ops.push_back(TxnOp::put(a.psk_ref, store::Json{{"key", a.psk}}));
  });
  t.ops.push_back(TxnOp::put(key, store::Json::parse(policy::to_json(set, ref_form()).dump())));
  return t;
}

}  // namespace

Result<store::Txn> plan_dynamic_add(const std::string& id, const PolicySet& set) { return dynamic_write(id, set, 0); }

Result<store::Txn> plan_dynamic_replace(const DynamicEntry& old, const PolicySet& set) {
  return dynamic_write(old.id, set, old.revision);
}

store::Txn plan_dynamic_clear() {
  store::Txn t;
  t.ops.push_back(TxnOp::delete_prefix(std::string(kDynamicPrefix)));
  t.ops.push_back(TxnOp::delete_prefix(std::string(kDynamicPskPrefix)));
  return t;
}

}  // namespace ipseckit::policydb
