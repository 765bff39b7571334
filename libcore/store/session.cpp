#include "store/session.h"

#include <unistd.h>

#include <exception>

#include "base/strings.h"
#include "store/keys.h"
#include "store/request_fast.h"

namespace ipseckit::store {
namespace {

Error forbidden(std::string msg) {
  return Error::make("forbidden", std::move(msg));
}

Event log_event(const LogEntry& e, std::uint64_t revision, bool snapshot) {
  return Event{Event::Kind::put, std::string(kLogPrefix) + std::to_string(e.seq), log_to_json(e), revision, snapshot};
}

}  // namespace

Session::Session(Engine& engine, Peer peer, Output out, SessionConfig cfg)
    : m_engine(engine), m_peer(peer), m_out(std::move(out)), m_cfg(std::move(cfg)) {}

Session::~Session() {
  for (auto id : m_watches) m_engine.unwatch(id);
}

void Session::send_error(const Json& id, std::string_view code, std::string_view message) {
  m_out(error_line(id, code, message));
}

void Session::send_ok(const Json& id, const Json& body) {
  m_out(response_line(id, true, body));
}

void Session::handle_line(std::string_view line) {
  // A daemon's quiet log batches and transactions skip the request's JSON tree.
  if (auto fast = parse_request_fast(line)) return run(*fast, fast->id);
  if (str::trim(line).empty()) return;
  auto obj = parse_line(line);
  if (!obj) return send_error(nullptr, obj.error().code, obj.error().message);
  const Json id = request_id(*obj);
  auto req = parse_request(std::move(*obj));
  if (!req) return send_error(id, req.error().code, req.error().message);
  run(*req, id);
}

void Session::run(Request& req, const Json& id) {
  try {
    Reply r = dispatch(req);
    if (!r) return send_error(id, r.error().code, r.error().message);
    if (*r && !req.quiet) send_ok(id, **r);  // quiet: answered only when it fails
  } catch (const std::exception& e) {
    send_error(id, "internal", e.what());
  }
}

Status Session::require_admin(std::string_view what) const {
  if (m_peer.admin) return {};
  return forbidden("'" + std::string(what) + "' needs write access (root or the admin group); uid " +
                   std::to_string(m_peer.uid) + " may only read");
}

Session::Reply Session::dispatch(Request& r) {
  auto revision_body = [&r](Result<std::uint64_t> rev) -> Reply {
    if (!rev) return rev.error();
    if (r.quiet) return std::optional<Json>(Json());  // never sent: no body to build
    return std::optional<Json>(Json{{"revision", *rev}});
  };
  switch (r.op) {
    case Op::hello:
      return do_hello(r);
    case Op::get:
      return do_get(r);
    case Op::list:
      return do_list(r);
    case Op::watch:
      return do_watch(r);
    case Op::unwatch:
      return do_unwatch(r);
    case Op::log:
      return do_log(r);
    case Op::log_read:
      return do_log_read(r);
    case Op::put:
      IPSECKIT_TRY(require_admin("put"));
      return revision_body(m_engine.put(r.key, std::move(r.value), r.if_revision));
    case Op::del:
      IPSECKIT_TRY(require_admin("delete"));
      return revision_body(m_engine.del(r.key, r.if_revision));
    case Op::txn:
      IPSECKIT_TRY(require_admin("txn"));
      return revision_body(r.canonical_texts ? m_engine.txn_canonical(std::move(r.txn))
                                             : m_engine.txn(std::move(r.txn)));
  }
  return Error::make("bad_request", "field 'op': unsupported");
}

Session::Reply Session::do_hello(const Request& r) {
  if (r.version && *r.version != static_cast<std::uint64_t>(kProtocolVersion))
    return Error::make("unsupported_version", "field 'version': protocol version " + std::to_string(*r.version) +
                                                  " is not supported; this agent speaks version " +
                                                  std::to_string(kProtocolVersion));
  return std::optional<Json>(Json{{"protocol", kProtocolVersion},
                                  {"server", m_cfg.server},
                                  {"uid", m_peer.uid},
                                  {"admin", m_peer.admin},
                                  {"revision", m_engine.revision()},
                                  {"pid", ::getpid()}});
}

Session::Reply Session::do_get(const Request& r) {
  IPSECKIT_TRY(check_key(r.key, "key", false));
  if (!m_peer.admin && is_secret(r.key))
    return forbidden("key '" + r.key + "' is secret; only root or the admin group may read it");
  // The stored text goes into the answer as it is (no tree; see Slot in read_view.h).
  const Slot* s = m_engine.view().find(r.key);
  if (!s) return Error::make("not_found", "key '" + r.key + "' not found");
  if (!r.quiet) {
    std::string fields;
    append_entry_fields(fields, r.key, s->revision, &s->text);
    m_out(response_line_fields(r.id, fields));
  }
  return std::optional<Json>();
}

Session::Reply Session::do_list(const Request& r) {
  IPSECKIT_TRY(check_prefix(r.prefix, "prefix"));
  // {"items":[{"key":K,"revision":R,"value":V},...],"revision":R}, the stored texts spliced in.
  std::string fields = "\"items\":[";
  bool first = true;
  m_engine.view().for_each(r.prefix, [&](const std::string& k, const Slot& s) {
    if (!m_peer.admin && is_secret(k)) return;
    fields += first ? "{" : ",{";
    first = false;
    append_entry_fields(fields, k, s.revision, r.keys_only ? nullptr : &s.text);
    fields += '}';
  });
  fields += "],\"revision\":" + std::to_string(m_engine.revision());
  if (!r.quiet) m_out(response_line_fields(r.id, fields));
  return std::optional<Json>();
}

Session::Reply Session::do_watch(const Request& r) {
  IPSECKIT_TRY(check_prefix(r.prefix, "prefix"));
  if (!m_peer.admin && prefix_is_secret(r.prefix))
    return forbidden("prefix '" + r.prefix + "' is secret; only root or the admin group may watch it");
  if (m_watches.size() >= m_cfg.max_watches)
    return Error::make("too_large",
                       "too many watches on this connection (at most " + std::to_string(m_cfg.max_watches) + ")");
  const bool admin = m_peer.admin;
  const std::string prefix = r.prefix;
  std::uint64_t id = 0;
  if (is_log_key(prefix)) {
    id = m_engine.watch_log([this, admin, prefix](std::uint64_t w, const LogEntry& e) {
      if (!admin && e.level == "private") return;
      Event ev = log_event(e, m_engine.revision(), false);
      if (has_prefix(ev.key, prefix)) m_out(event_line(w, ev));
    });
  } else {
    id = m_engine.watch_text(prefix, [this, admin](std::uint64_t w, const TextEvent& e) {
      if (!admin && is_secret(e.key)) return;
      m_out(event_line_text(w, e.kind, e.key, e.text, e.revision, false));
    });
  }
  m_watches.insert(id);
  Json body{{"watch", id}, {"revision", m_engine.revision()}};
  if (!r.snapshot) {
    send_ok(r.id, body);
    return std::optional<Json>();
  }
  std::vector<std::string> snap;  // the snapshot's event lines, sent after the response
  if (is_log_key(prefix)) {
    for (const auto& e : m_engine.log_read(0, kMaxLogReadLimit, admin)) {
      Event ev = log_event(e, m_engine.revision(), true);
      if (has_prefix(ev.key, prefix)) snap.push_back(event_line(id, ev));
    }
  } else {
    m_engine.view().for_each(prefix, [&](const std::string& k, const Slot& s) {
      if (admin || !is_secret(k)) snap.push_back(event_line_text(id, Event::Kind::put, k, s.text, s.revision, true));
    });
  }
  body["count"] = snap.size();
  send_ok(r.id, body);
  for (const auto& line : snap) m_out(line);
  return std::optional<Json>();
}

Session::Reply Session::do_unwatch(const Request& r) {
  auto it = m_watches.find(r.watch);
  if (it == m_watches.end())
    return Error::make("not_found", "field 'watch': no watch " + std::to_string(r.watch) + " on this connection");
  m_engine.unwatch(r.watch);
  m_watches.erase(it);
  return std::optional<Json>(Json::object());
}

Session::Reply Session::do_log(Request& r) {
  IPSECKIT_TRY(require_admin("log"));
  for (const auto& l : r.lines)  // all or nothing: checked before any is appended
    if (l.subsys.empty()) return Error::make("bad_request", "field 'subsys' must not be empty");
  std::uint64_t seq = 0;
  for (auto& l : r.lines) seq = m_engine.log(std::move(l.subsys), std::move(l.level), std::move(l.message)).seq;
  if (r.quiet) return std::optional<Json>(Json());  // never sent: no body to build
  return std::optional<Json>(Json{{"seq", seq}});
}

Session::Reply Session::do_log_read(const Request& r) {
  Json entries = Json::array();
  for (const auto& e : m_engine.log_read(r.since, r.limit, m_peer.admin)) entries.push_back(log_to_json(e));
  return std::optional<Json>(Json{{"entries", std::move(entries)}, {"seq", m_engine.log_seq()}});
}

}  // namespace ipseckit::store
