// The RFC 1661 §4 automaton: every state x event cell against the RFC's table (transcribed
// below as text, independent of fsm.cpp's data), observed through what the automaton does:
// callbacks, packets sent, restart counter, timer and next state. Then real exchanges.
#include <doctest/doctest.h>

#include <map>
#include <sstream>

#include "base/log.h"
#include "base/strings.h"
#include "ppp/fsm.h"

using namespace ipseckit;
using namespace ipseckit::ppp;
using wire::CpCode;
using wire::CpPacket;

namespace {

// RFC 1661 §4.1 "State Transition Table", as printed (r, p and x annotations kept).
const char* const kRfcTable[] = {
    //       0 Initial | 1 Starting | 2 Closed  | 3 Stopped     | 4 Closing | 5 Stopping | 6 Req-Sent | 7 Ack-Rcvd | 8 Ack-Sent | 9 Opened
    "Up    | 2         | irc,scr/6  | -         | -             | -         | -          | -          | -          | -          | -",
    "Down  | -         | -          | 0         | tls/1         | 0         | 1          | 1          | 1          | 1          | tld/1",
    "Open  | tls/1     | 1          | irc,scr/6 | 3r            | 5r        | 5r         | 6          | 7          | 8          | 9r",
    "Close | 0         | tlf/0      | 2         | 2             | 4         | 4          | irc,str/4  | irc,str/4  | irc,str/4  | tld,irc,str/4",
    "TO+   | -         | -          | -         | -             | str/4     | str/5      | scr/6      | scr/6      | scr/8      | -",
    "TO-   | -         | -          | -         | -             | tlf/2     | tlf/3      | tlf/3p     | tlf/3p     | tlf/3p     | -",
    "RCR+  | -         | -          | sta/2     | irc,scr,sca/8 | 4         | 5          | sca/8      | sca,tlu/9  | sca/8      | tld,scr,sca/8",
    "RCR-  | -         | -          | sta/2     | irc,scr,scn/6 | 4         | 5          | scn/6      | scn/7      | scn/6      | tld,scr,scn/6",
    "RCA   | -         | -          | sta/2     | sta/3         | 4         | 5          | irc/7      | scr/6x     | irc,tlu/9  | tld,scr/6x",
    "RCN   | -         | -          | sta/2     | sta/3         | 4         | 5          | irc,scr/6  | scr/6x     | irc,scr/8  | tld,scr/6x",
    "RTR   | -         | -          | sta/2     | sta/3         | sta/4     | sta/5      | sta/6      | sta/6      | sta/6      | tld,zrc,sta/5",
    "RTA   | -         | -          | 2         | 3             | tlf/2     | tlf/3      | 6          | 6          | 8          | tld,scr/6",
    "RUC   | -         | -          | scj/2     | scj/3         | scj/4     | scj/5      | scj/6      | scj/7      | scj/8      | scj/9",
    "RXJ+  | -         | -          | 2         | 3             | 4         | 5          | 6          | 6          | 8          | 9",
    "RXJ-  | -         | -          | tlf/2     | tlf/3         | tlf/2     | tlf/3      | tlf/3      | tlf/3      | tlf/3      | tld,irc,str/5",
    "RXR   | -         | -          | 2         | 3             | 4         | 5          | 6          | 7          | 8          | ser/9",
};

const std::map<std::string, FsmEvent> kEvents{
    {"Up", FsmEvent::up},         {"Down", FsmEvent::down},          {"Open", FsmEvent::open},
    {"Close", FsmEvent::close},   {"TO+", FsmEvent::to_plus},        {"TO-", FsmEvent::to_minus},
    {"RCR+", FsmEvent::rcr_plus}, {"RCR-", FsmEvent::rcr_minus},     {"RCA", FsmEvent::rca},
    {"RCN", FsmEvent::rcn},       {"RTR", FsmEvent::rtr},            {"RTA", FsmEvent::rta},
    {"RUC", FsmEvent::ruc},       {"RXJ+", FsmEvent::rxj_plus},      {"RXJ-", FsmEvent::rxj_minus},
    {"RXR", FsmEvent::rxr}};

class Recorder final : public FsmHandler {
 public:
  std::vector<std::string> log;
  std::vector<CpPacket> sent;
  Bytes request_options() override { return {1, 4, 5, 0xdc}; }
  std::optional<Verdict> check_request(ByteView options, Bytes& reply) override {
    if (options.empty()) return std::nullopt;
    if (options[0] == 0xEE) {
      reply = {0xEE, 2};
      return Verdict::reject;
    }
    if (options[0] == 0xAA) {
      reply = {0xAA, 3, 1};
      return Verdict::nak;
    }
    return Verdict::ack;
  }
  void acked(ByteView) override { log.push_back("acked"); }
  bool naked(ByteView) override { return true; }
  bool rejected(ByteView o) override { return !o.empty(); }
  bool is_extra_code(std::uint8_t c) const override { return c == 9; }
  void on_extra(const CpPacket&) override { log.push_back("ser"); }
  void send(const CpPacket& p) override {
    static const std::map<std::uint8_t, std::string> action{{1, "scr"}, {2, "sca"}, {3, "scn"}, {4, "scn"},
                                                            {5, "str"}, {6, "sta"}, {7, "scj"}};
    sent.push_back(p);
    log.push_back(action.at(p.code));
  }
  void this_layer_up() override { log.push_back("tlu"); }
  void this_layer_down() override { log.push_back("tld"); }
  void this_layer_started() override { log.push_back("tls"); }
  void this_layer_finished() override { log.push_back("tlf"); }
};

bool timer_state(int s) { return s >= 4 && s <= 8; }

FsmConfig test_config() {
  FsmConfig c;
  c.max_configure = 7;
  c.max_terminate = 3;
  return c;
}

}  // namespace

TEST_CASE("RFC 1661 §4.1: every state x event cell") {
  log::set_sink([](log::Subsys, log::Level, std::string_view) {});
  int cells = 0, possible = 0;
  for (const char* row : kRfcTable) {
    auto cols = str::split(row, "|");
    REQUIRE(cols.size() == 11);
    const std::string ev_name(str::trim(cols[0]));
    const FsmEvent ev = kEvents.at(ev_name);
    for (int s = 0; s < 10; ++s) {
      std::string cell(str::trim(cols[static_cast<std::size_t>(s) + 1]));
      CAPTURE(ev_name);
      CAPTURE(name(static_cast<FsmState>(s)));
      CAPTURE(cell);
      ++cells;
      // the table in fsm.cpp says the same thing
      const FsmTransition& t = fsm_transition(static_cast<FsmState>(s), ev);
      if (cell == "-") {
        CHECK_FALSE(t.possible);
        // and the automaton ignores the event
        Recorder h;
        Fsm f("T", h, test_config());
        f.force_state_for_test(static_cast<FsmState>(s), 5);
        f.dispatch(ev, Millis(0));
        CHECK(f.state() == static_cast<FsmState>(s));
        CHECK(h.log.empty());
        continue;
      }
      ++possible;
      REQUIRE(t.possible);
      while (!cell.empty() && (cell.back() == 'r' || cell.back() == 'p' || cell.back() == 'x')) cell.pop_back();
      std::vector<std::string> actions;
      int next = 0;
      const auto slash = cell.find('/');
      if (slash == std::string::npos) {
        next = std::stoi(cell);
      } else {
        const std::string list = cell.substr(0, slash);  // split() returns views into it
        for (auto a : str::split(list, ",")) actions.emplace_back(a);
        next = std::stoi(cell.substr(slash + 1));
      }
      // observed behaviour, with a non-zero restart counter for TO+ and zero for TO-
      const unsigned start_count = ev == FsmEvent::to_minus ? 0 : 5;
      Recorder h;
      Fsm f("T", h, test_config());
      f.force_state_for_test(static_cast<FsmState>(s), start_count);
      f.dispatch(ev, Millis(0));
      CHECK(static_cast<int>(f.state()) == next);
      std::vector<std::string> visible;  // irc and zrc are not visible as calls: see the counter
      for (const auto& a : actions)
        if (a != "irc" && a != "zrc") visible.push_back(a);
      CHECK(h.log == visible);
      unsigned expect = start_count;
      bool sent_counted = false;
      for (const auto& a : actions) {
        if (a == "irc") expect = next == 4 || next == 5 ? 3 : 7;
        if (a == "zrc") expect = 0;
        if ((a == "scr" || a == "str") && !sent_counted && expect > 0) {
          --expect;
          sent_counted = true;
        }
      }
      CHECK(f.restart_count() == expect);
      CHECK(f.deadline().has_value() == timer_state(next));
      if (std::find(actions.begin(), actions.end(), "zrc") != actions.end()) CHECK(f.deadline().has_value());
    }
  }
  CHECK(cells == 160);
  CHECK(possible == 120);  // 40 cells are "-"
}

TEST_CASE("Restart timer: Configure-Requests every 3 s, Max-Configure of them, then TO- and tlf") {
  Recorder h;
  FsmConfig c;
  c.max_configure = 4;
  Fsm f("T", h, c);
  f.open(Millis(0));
  f.up(Millis(0));
  CHECK(f.state() == FsmState::req_sent);
  std::vector<long> at{0};
  for (long t = 100; t <= 20000; t += 100) {
    const auto before = h.sent.size();
    f.on_timer(Millis(t));
    if (h.sent.size() > before) at.push_back(t);
  }
  CHECK(at == std::vector<long>{0, 3000, 6000, 9000});
  CHECK(f.state() == FsmState::stopped);
  CHECK(h.log.back() == "tlf");
  CHECK_FALSE(f.deadline().has_value());
}

TEST_CASE("Packets become events: RCR+/-, RCA only for our request, RCN, RTR, RUC, RXJ, RXR") {
  Recorder h;
  Fsm f("T", h, FsmConfig{});
  f.open(Millis(0));
  f.up(Millis(0));
  REQUIRE(h.sent.size() == 1);
  const CpPacket req = h.sent[0];
  // an Ack with another Identifier or other options is discarded
  f.input(CpPacket{2, static_cast<std::uint8_t>(req.id + 1), req.data}, Millis(1));
  f.input(CpPacket{2, req.id, {1, 4, 5, 0xdd}}, Millis(1));
  CHECK(f.state() == FsmState::req_sent);
  // a Nak re-sends the request with a new Identifier
  f.input(CpPacket{3, req.id, {1, 4, 5, 0}}, Millis(1));
  REQUIRE(h.sent.size() == 2);
  CHECK(h.sent[1].code == 1);
  CHECK(h.sent[1].id != req.id);
  // the peer's request: Nak, Reject, then Ack
  f.input(CpPacket{1, 40, {0xAA, 2}}, Millis(2));
  CHECK(h.sent.back().code == 3);
  CHECK(h.sent.back().id == 40);
  CHECK(h.sent.back().data == Bytes{0xAA, 3, 1});
  f.input(CpPacket{1, 41, {0xEE, 2}}, Millis(2));
  CHECK(h.sent.back().code == 4);
  f.input(CpPacket{1, 42, {1, 4, 5, 0xdc}}, Millis(2));
  CHECK(h.sent.back().code == 2);
  CHECK(h.sent.back().data == Bytes{1, 4, 5, 0xdc});
  CHECK(f.state() == FsmState::ack_sent);
  f.input(CpPacket{2, h.sent[1].id, h.sent[1].data}, Millis(3));
  CHECK(f.state() == FsmState::opened);
  CHECK(h.log.back() == "tlu");
  // an unknown code is Code-Rejected with the packet inside
  f.input(CpPacket{77, 5, {9, 9}}, Millis(4));
  CHECK(h.sent.back().code == 7);
  CHECK(h.sent.back().data == Bytes{77, 5, 0, 6, 9, 9});
  // RXR in Opened reaches the handler; a Code-Reject of Echo is harmless, of Configure fatal
  f.input(CpPacket{9, 6, {0, 0, 0, 0}}, Millis(4));
  CHECK(h.log.back() == "ser");
  f.input(CpPacket{7, 7, {9, 6, 0, 8}}, Millis(5));
  CHECK(f.state() == FsmState::opened);
  f.input(CpPacket{7, 8, {1, 1, 0, 4}}, Millis(5));
  CHECK(f.state() == FsmState::stopping);
  // a malformed Configure-Request is dropped without an event
  Recorder h2;
  Fsm g("T", h2, FsmConfig{});
  g.open(Millis(0));
  g.up(Millis(0));
  g.input(CpPacket{1, 1, {}}, Millis(0));
  CHECK(h2.sent.size() == 1);
}

TEST_CASE("Two automata negotiate, then one closes: Terminate-Request and -Ack, both finish") {
  struct Wired final : public FsmHandler {
    std::vector<CpPacket>* out = nullptr;  // queued: a handler must not call back into its peer synchronously
    std::vector<std::string> log;
    Bytes request_options() override { return {5, 6, 1, 2, 3, 4}; }
    std::optional<Verdict> check_request(ByteView, Bytes&) override { return Verdict::ack; }
    void acked(ByteView) override {}
    bool naked(ByteView) override { return true; }
    bool rejected(ByteView) override { return true; }
    void send(const CpPacket& p) override { out->push_back(p); }
    void this_layer_up() override { log.push_back("up"); }
    void this_layer_down() override { log.push_back("down"); }
    void this_layer_finished() override { log.push_back("finished"); }
  };
  Wired ha, hb;
  std::vector<CpPacket> to_a, to_b;
  ha.out = &to_b;
  hb.out = &to_a;
  Fsm a("A", ha, FsmConfig{}), b("B", hb, FsmConfig{});
  auto pump = [&] {
    while (!to_a.empty() || !to_b.empty()) {
      auto qa = std::move(to_a);
      auto qb = std::move(to_b);
      to_a.clear();
      to_b.clear();
      for (const auto& p : qa) a.input(p, Millis(0));
      for (const auto& p : qb) b.input(p, Millis(0));
    }
  };
  b.open(Millis(0));
  b.up(Millis(0));
  pump();  // B's request reaches A in Initial: ignored ("-")
  a.open(Millis(0));
  a.up(Millis(0));
  pump();
  b.on_timer(FsmConfig{}.restart);  // B retransmits its request, now A answers
  pump();
  CHECK(a.opened());
  CHECK(b.opened());
  a.close(Millis(1));
  pump();
  CHECK(a.state() == FsmState::closed);
  CHECK(b.state() == FsmState::stopping);  // waits one restart period (zrc) before finishing
  b.on_timer(Millis(1) + FsmConfig{}.restart);
  CHECK(b.state() == FsmState::stopped);
  CHECK(ha.log == std::vector<std::string>{"up", "down", "finished"});
  CHECK(hb.log == std::vector<std::string>{"up", "down", "finished"});
}

TEST_CASE("Names") {
  CHECK(name(FsmState::ack_rcvd) == "Ack-Rcvd");
  CHECK(name(FsmEvent::rxj_minus) == "RXJ-");
  CHECK(name(FsmAction::zrc) == "zrc");
  CHECK(name(static_cast<FsmState>(42)) == "<unknown:42>");
}
