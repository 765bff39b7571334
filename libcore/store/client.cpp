#include "store/client.h"

#include <algorithm>
#include <utility>

#include "base/json_text.h"
#include "base/log.h"
#include "base/log_buffer.h"
#include "store/autostart.h"
#include "store/protocol.h"

namespace ipseckit::store {
namespace {

Error malformed(std::string_view what) {
  return Error::make("protocol", "the agent's response to " + std::string(what) + " is malformed");
}

// A quiet txn request as one line, written field by field (no tree of the whole request);
// the same object txn_to_json() builds, plus "quiet" and "id".
void append_txn_line(std::string& out, std::uint64_t id, const Txn& t) {
  out += R"({"op":"txn","quiet":true,"id":)";
  out += std::to_string(id);
  out += R"(,"compare":[)";
  for (std::size_t i = 0; i < t.compares.size(); ++i) {
    if (i) out.push_back(',');
    out += R"({"key":)";
    append_json_string(out, t.compares[i].key);
    out += R"(,"revision":)";
    out += std::to_string(t.compares[i].revision);
    out.push_back('}');
  }
  out += R"(],"ops":[)";
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    const auto& o = t.ops[i];
    if (i) out.push_back(',');
    switch (o.kind) {
      case TxnOp::Kind::put:
        out += R"({"op":"put","key":)";
        append_json_string(out, o.key);
        out += R"(,"value":)";
        out += o.text.empty() ? to_text(o.value) : o.text;
        break;
      case TxnOp::Kind::del:
        out += R"({"op":"delete","key":)";
        append_json_string(out, o.key);
        break;
      case TxnOp::Kind::delete_prefix:
        out += R"({"op":"delete_prefix","prefix":)";
        append_json_string(out, o.key);
        break;
    }
    out.push_back('}');
  }
  out += "]}\n";
}

// Whether a refused "entries" batch was refused for its form by an agent that predates it:
// its parser then takes "log" as one line and misses "subsys" (or, stricter, calls a field or
// the op unknown). An agent that knows "entries" names the failing line ("entries[N].level").
bool refused_as_unknown_form(const Error& e) {
  if (e.code != "bad_request") return false;
  const std::string& m = e.message;
  if (m.find("entries[") != std::string::npos) return false;
  return m.find("unknown op") != std::string::npos || m.find("unknown field") != std::string::npos ||
         m == "missing field 'subsys'" || m == "missing field 'level'" || m == "missing field 'message'";
}

std::uint64_t revision_of(const Json& j) {
  auto it = j.find("revision");
  return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

Result<std::uint64_t> revision_result(Result<Json> r, std::string_view what) {
  if (!r) return r.error();
  auto it = r->find("revision");
  if (it == r->end() || !it->is_number_unsigned()) return malformed(what);
  return it->get<std::uint64_t>();
}

}  // namespace

Result<Client> Client::connect(const ClientOptions& opt) {
  auto conn = connect_or_start(opt);
  if (!conn) return conn.error();
  Client c(LineConn(std::move(conn->fd)), std::move(conn->path), opt);
  auto r = c.request({{"op", "hello"}, {"version", kProtocolVersion}});
  if (!r) return r.error();
  const Json& j = *r;
  c.m_info.protocol = j.value("protocol", 0);
  c.m_info.server = j.value("server", std::string());
  c.m_info.uid = j.value("uid", std::uint64_t{0});
  c.m_info.admin = j.value("admin", false);
  c.m_info.revision = revision_of(j);
  c.m_info.pid = j.value("pid", std::int64_t{0});
  return c;
}

Result<Json> Client::request(Json req) {
  const std::uint64_t id = m_next_id++;
  req["id"] = id;
  IPSECKIT_TRY(flush());
  IPSECKIT_TRY(m_conn.send(req, m_opt.timeout));
  for (;;) {
    auto line = m_conn.receive(m_opt.timeout);
    if (!line) return line.error();
    if (!*line) {
      m_conn.close();  // a late answer would be taken for the next request's
      return Error::make("timeout", "the agent did not answer within " + std::to_string(m_opt.timeout.count()) + " ms");
    }
    Json& j = **line;
    settle(j, id);
    auto rid = j.find("id");
    if (rid != j.end() && !(rid->is_number_unsigned() && rid->get<std::uint64_t>() == id))
      continue;  // a quiet request's refusal (or a stale answer)
    m_unread = 0;  // the agent answers in order: every earlier answer has been read
    auto ok = j.find("ok");
    if (ok != j.end() && ok->is_boolean() && ok->get<bool>()) return std::move(j);
    return error_from_response(j);
  }
}

Result<Entry> Client::get(std::string_view key) {
  auto r = request({{"op", "get"}, {"key", key}});
  if (!r) return r.error();
  return entry_from_json(*r);
}

Result<std::uint64_t> Client::put(std::string_view key, const Json& value, std::optional<std::uint64_t> if_revision) {
  Json req{{"op", "put"}, {"key", key}, {"value", value}};
  if (if_revision) req["if_revision"] = *if_revision;
  return revision_result(request(std::move(req)), "put");
}

Result<std::uint64_t> Client::del(std::string_view key, std::optional<std::uint64_t> if_revision) {
  Json req{{"op", "delete"}, {"key", key}};
  if (if_revision) req["if_revision"] = *if_revision;
  return revision_result(request(std::move(req)), "delete");
}

Result<ListResult> Client::list(std::string_view prefix, bool keys_only) {
  Json req{{"op", "list"}, {"prefix", prefix}};
  if (keys_only) req["keys_only"] = true;
  auto r = request(std::move(req));
  if (!r) return r.error();
  auto items = r->find("items");
  if (items == r->end() || !items->is_array()) return malformed("list");
  ListResult out;
  out.revision = revision_of(*r);
  out.items.reserve(items->size());
  for (const auto& it : *items) {
    auto e = entry_from_json(it);
    if (!e) return e.error();
    out.items.push_back(std::move(e.value()));
  }
  return out;
}

Result<std::uint64_t> Client::txn(const Txn& t) {
  return revision_result(request(txn_to_json(t)), "txn");
}

Result<std::uint64_t> Client::log(std::string_view subsys, std::string_view level, std::string_view message) {
  auto r = request({{"op", "log"}, {"subsys", subsys}, {"level", level}, {"message", message}});
  if (!r) return r.error();
  auto seq = r->find("seq");
  if (seq == r->end() || !seq->is_number_unsigned()) return malformed("log");
  return seq->get<std::uint64_t>();
}

Status Client::flush() {
  log::flush();  // a buffered stderr line about an event goes out before its records do
  close_log_batch();
  if (m_queued.empty()) return {};
  auto st = m_conn.send_lines(m_queued, m_opt.timeout);
  m_queued.clear();
  return st;
}

void Client::append_log_line(std::string_view entry) {
  // {"subsys":..} -> {"op":"log","quiet":true,"id":N,"subsys":..}
  m_queued += R"({"op":"log","quiet":true,"id":)" + std::to_string(m_next_id++) + ",";
  m_queued += entry.substr(1);
  m_queued.push_back('\n');
  ++m_unread;
}

void Client::close_log_batch() {
  if (m_log_batch.empty()) return;
  if (m_log_per_line) {
    std::string_view rest = m_log_batch;
    for (auto nl = rest.find('\n'); nl != std::string_view::npos; nl = rest.find('\n')) {
      append_log_line(rest.substr(0, nl));
      rest.remove_prefix(nl + 1);
    }
    m_log_batch.clear();
    return;
  }
  const std::uint64_t id = m_next_id++;
  m_queued += R"({"op":"log","quiet":true,"id":)" + std::to_string(id) + R"(,"entries":[)";
  const std::size_t at = m_queued.size();
  m_queued.append(m_log_batch, 0, m_log_batch.size() - 1);  // without the last '\n'
  std::replace(m_queued.begin() + static_cast<std::ptrdiff_t>(at), m_queued.end(), '\n', ',');
  m_queued += "]}\n";
  if (!m_log_batches_ok) m_log_sent.emplace(id, std::move(m_log_batch));
  m_log_batch.clear();
  ++m_unread;
}

// A refused quiet log request (id is not a txn_nowait() one nor the awaited request).
void Client::log_refused(std::uint64_t id, const Json& answer) {
  const Error e = error_from_response(answer);
  std::size_t lines = 1;
  if (m_log_resent.erase(id) && refused_as_unknown_form(e)) return;  // its lines went again already
  if (auto it = m_log_sent.find(id); it != m_log_sent.end()) {
    if (refused_as_unknown_form(e)) {
      // An agent from before "entries": this batch and every later one already sent (it
      // refuses those too) go again one line a request, in their order; so do later lines.
      m_log_per_line = true;
      for (auto& [sent_id, entries] : m_log_sent) {
        std::string_view rest = entries;
        for (auto nl = rest.find('\n'); nl != std::string_view::npos; nl = rest.find('\n')) {
          append_log_line(rest.substr(0, nl));
          rest.remove_prefix(nl + 1);
        }
        if (sent_id != id) m_log_resent.insert(sent_id);
      }
      m_log_sent.clear();
      return;
    }
    lines = static_cast<std::size_t>(std::count(it->second.begin(), it->second.end(), '\n'));
    m_log_sent.erase(it);
  }
  m_refusals_unsaid += lines;
  const auto now = std::chrono::steady_clock::now();
  if (m_refusal_said != std::chrono::steady_clock::time_point{} && now - m_refusal_said < std::chrono::seconds(10))
    return;
  m_refusal_said = now;
  log::write(log::Subsys::store, log::Level::audit,
             "the store at " + m_path + " refused queued event-log lines (" + std::to_string(m_refusals_unsaid) +
                 " lost so far, request " + std::to_string(id) + "): " + e.code + ": " + e.message);
  m_refusals_unsaid = 0;
}

void Client::settle(const Json& answer, std::uint64_t awaited) {
  auto rid = answer.find("id");
  if (rid == answer.end() || !rid->is_number_unsigned()) return;
  const std::uint64_t id = rid->get<std::uint64_t>();
  auto ok = answer.find("ok");
  const bool refused = ok == answer.end() || !ok->is_boolean() || !ok->get<bool>();
  bool txn = false;
  if (auto it = m_nowait_txns.find(id); it != m_nowait_txns.end()) {
    txn = true;
    if (refused) m_failed.push_back(FailedTxn{std::move(it->second), error_from_response(answer)});
  }
  if (!m_nowait_txns.empty()) m_nowait_txns.erase(m_nowait_txns.begin(), m_nowait_txns.upper_bound(id));
  if (refused && !txn && id != awaited) log_refused(id, answer);
  if (!m_log_resent.empty()) m_log_resent.erase(m_log_resent.begin(), m_log_resent.upper_bound(id));
  if (!m_log_sent.empty()) {
    // Answers come in order: a batch sent before this answer and not refused was taken.
    auto end = m_log_sent.upper_bound(id);
    if (m_log_sent.begin() != end && m_log_sent.begin()->first < id) {
      m_log_batches_ok = !m_log_per_line;
      m_log_sent.erase(m_log_sent.begin(), end);
    }
  }
}

Status Client::wait_room() {
  if (m_nowait_txns.size() < kMaxUnanswered) return {};
  // Answered after every request queued before it: settles them all (refusals are read first).
  auto r = request({{"op", "hello"}});
  if (!r) return r.error();
  return {};
}

Status Client::queue_txn(const Txn& t) {
  close_log_batch();  // requests keep their order
  const std::uint64_t id = m_next_id++;
  append_txn_line(m_queued, id, t);
  ++m_unread;
  std::vector<TxnOp> keys;
  keys.reserve(t.ops.size());
  for (const auto& op : t.ops) keys.push_back(TxnOp{op.kind, op.key, nullptr, {}});
  m_nowait_txns.emplace(id, std::move(keys));
  return m_queued.size() >= 65536 ? flush() : Status{};
}

Status Client::txn_nowait(const Txn& t) {
  IPSECKIT_TRY(wait_room());
  return queue_txn(t);
}

Status Client::txn_nowait(Txn&& t) {
  return txn_nowait(static_cast<const Txn&>(t));
}

std::vector<Client::FailedTxn> Client::take_failed() { return std::exchange(m_failed, {}); }

Status Client::log_nowait(std::string_view subsys, std::string_view level, std::string_view message) {
  if (!m_log_batches_ok && !m_log_per_line && m_log_sent.size() >= kMaxUnanswered) {
    // Batches kept for a resend: one round trip settles them (once per connection).
    auto r = request({{"op", "hello"}});
    if (!r) return r.error();
  }
  m_log_batch += R"({"subsys":)";
  append_json_string(m_log_batch, subsys);
  m_log_batch += R"(,"level":)";
  append_json_string(m_log_batch, level);
  m_log_batch += R"(,"message":)";
  append_json_string(m_log_batch, message);
  m_log_batch += "}\n";
  return m_queued.size() + m_log_batch.size() >= 65536 ? flush() : Status{};
}

std::size_t Client::drain() {
  (void)flush();
  // Quiet requests are answered only when refused: look for those now and then, not after
  // every write (a later request() reads them anyway).
  if (m_unread >= 32) {
    m_unread = 0;
    for (;;) {
      auto line = m_conn.receive(std::chrono::milliseconds(0));
      if (!line || !*line) break;
      settle(**line);
    }
    if (!m_queued.empty()) (void)flush();  // log lines resent after a refusal
  }
  return m_nowait_txns.size();
}

Result<std::vector<LogEntry>> Client::log_read(std::uint64_t since, std::size_t limit) {
  auto r = request({{"op", "log_read"}, {"since", since}, {"limit", limit}});
  if (!r) return r.error();
  auto entries = r->find("entries");
  if (entries == r->end() || !entries->is_array()) return malformed("log_read");
  std::vector<LogEntry> out;
  for (const auto& e : *entries) {
    auto le = log_from_json(e);
    if (!le) return le.error();
    out.push_back(std::move(le.value()));
  }
  return out;
}

Result<Watch> Client::watch(std::string_view prefix, bool snapshot) {
  auto fd = sys::unix_connect(m_path);
  if (!fd) return Error::make("unavailable", fd.error().message);
  LineConn conn(std::move(fd.value()));
  Json req{{"op", "watch"}, {"prefix", prefix}, {"id", 1}};
  if (snapshot) req["snapshot"] = true;
  IPSECKIT_TRY(conn.send(req, m_opt.timeout));
  auto line = conn.receive(m_opt.timeout);
  if (!line) return line.error();
  if (!*line) return Error::make("timeout", "the agent did not answer the watch request");
  const Json& j = **line;
  auto ok = j.find("ok");
  if (ok == j.end() || !ok->is_boolean() || !ok->get<bool>()) return error_from_response(j);
  auto w = j.find("watch");
  if (w == j.end() || !w->is_number_unsigned()) return malformed("watch");
  return Watch(std::move(conn), w->get<std::uint64_t>(), revision_of(j));
}

Result<std::optional<Event>> Watch::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto line = m_conn.receive(timeout.count() < 0 ? timeout : std::max(left, std::chrono::milliseconds(0)));
    if (!line) return line.error();
    if (!*line) return std::optional<Event>();
    const Json& j = **line;
    if (auto ok = j.find("ok"); ok != j.end() && ok->is_boolean() && !ok->get<bool>()) return error_from_response(j);
    auto w = j.find("watch");
    if (w == j.end() || !w->is_number_unsigned() || w->get<std::uint64_t>() != m_id || !j.contains("event")) continue;
    auto ev = event_from_json(j);
    if (!ev) return ev.error();
    return std::optional<Event>(std::move(ev.value()));
  }
}

}  // namespace ipseckit::store
