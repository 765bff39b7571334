#include "l2tpd/records.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/log.h"
#include "crypto/random.h"
#include "policydb/keys.h"
#include "policydb/static_store.h"

namespace ipseckit::l2tpd {

using log::Level;
using log::Subsys;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string session_id(std::uint16_t tunnel, std::uint16_t session) {
  return fmt::format("{}-{}", tunnel, session);
}

bool process_alive(std::int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

store::Json TunnelRecord::to_json() const {
  return store::Json{{"tunnel_id", tunnel_id}, {"peer_tunnel_id", peer_tunnel_id},
                     {"peer", peer},           {"role", role},
                     {"state", state},         {"peer_host", peer_host},
                     {"ipsec", ipsec},         {"pid", static_cast<std::int64_t>(::getpid())},
                     {"updated", unix_now()}};
}

store::Json SessionRecord::to_json() const {
  return store::Json{{"id", l2tpd::session_id(tunnel_id, session_id)},
                     {"tunnel_id", tunnel_id},
                     {"session_id", session_id},
                     {"peer_session_id", peer_session_id},
                     {"peer", peer},
                     {"role", role},
                     {"state", state},
                     {"user", user},
                     {"address", address},
                     {"local_address", local_address},
                     {"auth", auth},
                     {"interface", interface},
                     {"bytes_in", bytes_in},
                     {"bytes_out", bytes_out},
                     {"packets_in", packets_in},
                     {"packets_out", packets_out},
                     {"dropped", dropped},
                     {"ipsec", ipsec},
                     {"pid", static_cast<std::int64_t>(::getpid())},
                     {"updated", unix_now()}};
}

void Records::run(const store::Txn& t, const char* what) {
  if (t.ops.empty()) return;
  if (auto r = m_c.txn(t); !r) log::msg(Subsys::store, Level::control, "store: {}: {}", what, r.error().message);
}

void Records::put_tunnel(const TunnelRecord& t) {
  store::Txn txn;
  txn.ops.push_back(store::TxnOp::put(kTunnelPrefix + std::to_string(t.tunnel_id), t.to_json()));
  run(txn, "recording a tunnel");
}

void Records::del_tunnel(std::uint16_t id) {
  store::Txn txn;
  txn.ops.push_back(store::TxnOp::del(kTunnelPrefix + std::to_string(id)));
  run(txn, "removing a tunnel");
}

void Records::put_sessions(const std::vector<SessionRecord>& s) {
  store::Txn txn;
  for (const auto& r : s)
    txn.ops.push_back(store::TxnOp::put(kSessionPrefix + session_id(r.tunnel_id, r.session_id), r.to_json()));
  run(txn, "recording sessions");
}

void Records::del_session(std::uint16_t tunnel, std::uint16_t session) {
  store::Txn txn;
  txn.ops.push_back(store::TxnOp::del(kSessionPrefix + session_id(tunnel, session)));
  run(txn, "removing a session");
}

void Records::put_node(store::Json counters) {
  counters["pid"] = static_cast<std::int64_t>(::getpid());
  counters["updated"] = unix_now();
  store::Txn txn;
  txn.ops.push_back(store::TxnOp::put(kNodePrefix + std::to_string(::getpid()), std::move(counters)));
  run(txn, "recording the node counters");
}

void Records::remove_stale() {
  auto l = m_c.list("l2tp/");
  if (!l) return;
  store::Txn txn;
  for (const auto& e : l->items) {
    const std::int64_t pid = e.value.is_object() ? e.value.value("pid", std::int64_t{0}) : 0;
    if (!process_alive(pid)) txn.ops.push_back(store::TxnOp::del(e.key));
  }
  if (!txn.ops.empty())
    log::msg(Subsys::store, Level::control, "removing {} record(s) of l2tpd processes that are gone", txn.ops.size());
  run(txn, "removing stale records");
}

void Records::remove_own() {
  auto l = m_c.list("l2tp/");
  if (!l) return;
  store::Txn txn;
  for (const auto& e : l->items) {
    const std::int64_t pid = e.value.is_object() ? e.value.value("pid", std::int64_t{0}) : 0;
    if (pid == ::getpid()) txn.ops.push_back(store::TxnOp::del(e.key));
  }
  run(txn, "removing our records");
}

Status Records::plumb_ipsec(const policy::L2tpPolicyOptions& opt) {
  policy::PolicySet set = policy::l2tp_policy(opt);
  for (auto& p : set.policies) {
    // The agent compiles a dynamic set's policy only under the dynamic name (as ipsecpol's);
    // the L2TP one is recognisable by its description and its rule "L2TP".
    p.description = std::string(policy::kL2tpPolicyName) + ": " + p.description;
    p.name = std::string(policy::kDynamicPolicyName);
    p.id = crypto::random_guid();
    p.changed = unix_now();
    for (auto& r : p.rules) r.id = crypto::random_guid();
  }
  for (auto& f : set.filter_lists) f.id = crypto::random_guid();
  for (auto& f : set.filter_actions) f.id = crypto::random_guid();
  const std::string id = crypto::random_guid();
  auto txn = policydb::plan_dynamic_add(id, set);
  if (!txn) return txn.error();
  if (auto r = m_c.txn(*txn); !r) return r.error();
  m_ipsec_id = id;
  m_ipsec_key = std::string(policydb::kDynamicPrefix) + id;
  return {};
}

void Records::unplumb_ipsec() {
  if (m_ipsec_id.empty()) return;
  store::Txn txn;
  txn.ops.push_back(store::TxnOp::del(m_ipsec_key));
  txn.ops.push_back(store::TxnOp::delete_prefix(std::string(policydb::kDynamicPskPrefix) + m_ipsec_id + "/"));
  run(txn, "removing the L2TP/IPsec policy");
  log::msg(Subsys::app, Level::control, "removed the L2TP/IPsec policy {}", m_ipsec_key);
  m_ipsec_id.clear();
}

policy::L2tpPolicyOptions l2tp_policy_options(bool is_server, const wire::IpAddr& server, const SecureBytes& psk) {
  policy::L2tpPolicyOptions po;
  po.role = is_server ? policy::L2tpRole::server : policy::L2tpRole::client;
  if (!is_server) po.server = server;
  if (!psk.empty()) {
    // --psk-file: the key goes to secret/dynamic/{GUID}/0 (policydb::plan_dynamic_add)
    policy::AuthMethod a;
    a.kind = policy::AuthKind::psk;
    a.psk = std::string(psk.view());
    po.auth = {a};
    explicit_bzero(a.psk.data(), a.psk.size());
  }
  return po;
}

Status never_fragment(int udp_fd) {
  const int pmtu = IP_PMTUDISC_DO;
  if (::setsockopt(udp_fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu) != 0)
    return Error::make("failed", fmt::format("UDP socket: IP_MTU_DISCOVER: {}", std::strerror(errno)));
  return {};
}

}  // namespace ipseckit::l2tpd
