#include "l2tp/control_channel.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/log.h"

namespace ipseckit::l2tp {
namespace {

// The message type of an encoded AVP list (the first AVP), for diagnostics.
std::string type_of(const Bytes& avps) {
  if (avps.size() < 8) return "ZLB";
  return wire::name(static_cast<wire::L2tpMsgType>((avps[6] << 8) | avps[7]));
}

// A StopCCN is acknowledged at once (§5.7): its sender is waiting for that ZLB to close.
bool is_stopccn(const wire::L2tpControl& m) {
  if (m.avps.empty() || !m.avps.front().is(wire::AvpType::message_type)) return false;
  const auto& v = m.avps.front().value;
  return v.size() == 2 && ((v[0] << 8) | v[1]) == static_cast<int>(wire::L2tpMsgType::stopccn);
}

}  // namespace

ControlChannel::ControlChannel(ChannelConfig config, Transmit transmit)
    : m_config(config), m_transmit(std::move(transmit)), m_rto(config.initial_timeout) {
  if (m_config.receive_window == 0) m_config.receive_window = 1;
}

void ControlChannel::set_peer_window(std::uint16_t rws) {
  m_peer_window = std::max<std::uint16_t>(rws, 1);
  m_ssthresh = m_peer_window;  // appendix A: SSTHRESH starts at the peer's window
  m_cwnd = std::min<unsigned>(m_cwnd, m_peer_window);
}

unsigned ControlChannel::window() const { return std::min<unsigned>(m_cwnd, m_peer_window); }

unsigned ControlChannel::in_flight() const {
  unsigned n = 0;
  for (const auto& p : m_queue) n += p.sent ? 1 : 0;
  return n;
}

Status ControlChannel::send(std::uint16_t session_id, Bytes avps, Millis now) {
  if (m_failed) return *m_failed;
  if (m_queue.size() >= m_config.max_queue)
    return make_error("l2tp.resources", fmt::format("control queue full ({} messages unacknowledged)", m_queue.size()),
                      2, static_cast<std::uint16_t>(wire::L2tpErrorCode::no_resources));
  m_queue.push_back(Pending{m_next_ns, session_id, std::move(avps), false, 0});
  m_next_ns = static_cast<std::uint16_t>(m_next_ns + 1);
  fill_window(now);
  return {};
}

void ControlChannel::transmit(const Pending& p) {
  const auto h = wire::L2tpHeader::control_header(m_peer_tunnel_id, p.session_id, p.ns, m_nr);
  auto dgram = wire::serialize_l2tp(h, p.avps);
  if (!dgram) return;  // cannot happen: AVP lists are bounded when encoded
  m_ack_at.reset();    // Nr rides on this message
  ++m_stats.sent;
  m_transmit(dgram.value());
}

void ControlChannel::send_zlb() {
  // §5.8: a ZLB carries the Ns of the next message to be sent, without consuming it.
  const auto h = wire::L2tpHeader::control_header(m_peer_tunnel_id, 0, m_next_ns, m_nr);
  auto dgram = wire::serialize_l2tp(h, {});
  m_ack_at.reset();
  ++m_stats.zlb_sent;
  if (dgram) m_transmit(dgram.value());
}

void ControlChannel::fill_window(Millis now) {
  unsigned flight = in_flight();
  for (auto& p : m_queue) {
    if (p.sent) continue;
    if (flight >= window()) break;
    transmit(p);
    p.sent = true;
    ++flight;
    if (!m_retransmit_at) m_retransmit_at = now + m_rto;
  }
}

void ControlChannel::process_nr(std::uint16_t nr, Millis now) {
  // The end of what was sent: an Nr beyond it acknowledges messages never sent and is ignored.
  std::uint16_t sent_end = m_next_ns;
  for (const auto& p : m_queue)
    if (!p.sent) {
      sent_end = p.ns;
      break;
    }
  if (seq_before(sent_end, nr)) {
    log::msg(log::Subsys::l2tp, log::Level::diag, "control channel: ignoring Nr={} beyond the last Ns sent ({})", nr,
             static_cast<std::uint16_t>(sent_end - 1));
    return;
  }
  bool progress = false;
  while (!m_queue.empty() && m_queue.front().sent && seq_before(m_queue.front().ns, nr)) {
    m_queue.pop_front();
    progress = true;
    // Appendix A: slow start below SSTHRESH, congestion avoidance above.
    if (m_cwnd < m_ssthresh) {
      ++m_cwnd;
    } else if (++m_ca_acks >= m_cwnd) {
      ++m_cwnd;
      m_ca_acks = 0;
    }
    m_cwnd = std::min<unsigned>(m_cwnd, m_peer_window);
  }
  if (!progress) return;
  m_rto = m_config.initial_timeout;
  m_retransmit_at.reset();
  if (!m_queue.empty() && m_queue.front().sent) m_retransmit_at = now + m_rto;
  fill_window(now);
}

std::vector<wire::L2tpControl> ControlChannel::receive(const wire::L2tpControl& msg, Millis now) {
  std::vector<wire::L2tpControl> out;
  if (m_failed) return out;
  ++m_stats.received;
  process_nr(msg.header.nr, now);
  if (msg.avps.empty()) {
    ++m_stats.zlb_received;
    return out;
  }
  const std::uint16_t ns = msg.header.ns;
  if (ns == m_nr) {
    out.push_back(msg);
    m_nr = static_cast<std::uint16_t>(m_nr + 1);
    for (auto it = m_reorder.find(m_nr); it != m_reorder.end(); it = m_reorder.find(m_nr)) {
      out.push_back(std::move(it->second));
      m_reorder.erase(it);
      m_nr = static_cast<std::uint16_t>(m_nr + 1);
    }
    if (std::any_of(out.begin(), out.end(), is_stopccn))
      send_zlb();
    else if (!m_ack_at)
      m_ack_at = now + m_config.ack_delay;
  } else if (seq_before(ns, m_nr)) {
    // §5.8: a retransmission of something already received; our acknowledgement was lost.
    ++m_stats.duplicates;
    send_zlb();
  } else if (seq_distance(m_nr, ns) < m_config.receive_window) {
    if (m_reorder.emplace(ns, msg).second) ++m_stats.out_of_order;
  } else {
    ++m_stats.out_of_window;
    log::msg(log::Subsys::l2tp, log::Level::diag, "control channel: dropping Ns={} outside the window at Nr={}", ns, m_nr);
  }
  return out;
}

void ControlChannel::on_timer(Millis now) {
  if (m_failed) return;
  if (m_retransmit_at && now >= *m_retransmit_at && !m_queue.empty()) {
    Pending& p = m_queue.front();
    if (p.retransmits >= m_config.max_retransmits) {
      m_failed = make_error("l2tp.timeout",
                            fmt::format("peer did not acknowledge {} (Ns={}) after {} retransmissions", type_of(p.avps),
                                        p.ns, p.retransmits),
                            2, 0);
      m_retransmit_at.reset();
      m_ack_at.reset();
      return;
    }
    ++p.retransmits;
    ++m_stats.retransmits;
    m_ssthresh = std::max(m_cwnd / 2, 1u);
    m_cwnd = 1;
    m_ca_acks = 0;
    log::msg(log::Subsys::l2tp, log::Level::diag, "control channel: retransmitting {} Ns={} (#{}, timeout {} ms)",
             type_of(p.avps), p.ns, p.retransmits, m_rto.count());
    transmit(p);
    m_rto = std::min(m_rto * 2, m_config.max_timeout);
    m_retransmit_at = now + m_rto;
  }
  if (m_ack_at && now >= *m_ack_at) send_zlb();
}

std::optional<Millis> ControlChannel::next_deadline() const {
  if (m_failed) return std::nullopt;
  if (m_retransmit_at && m_ack_at) return std::min(*m_retransmit_at, *m_ack_at);
  return m_retransmit_at ? m_retransmit_at : m_ack_at;
}

}  // namespace ipseckit::l2tp
