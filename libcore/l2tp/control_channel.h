// The reliable delivery of one tunnel's control messages (RFC 2661 §5.8 and appendix A).
//
// * Every message but a ZLB takes the next Ns; Nr acknowledges everything before it.
// * The peer's Receive Window Size bounds what is unacknowledged in flight; within it a
//   congestion window grows by slow start and then congestion avoidance (appendix A): CWND
//   starts at 1 and SSTHRESH at the peer's window; each new acknowledgement adds 1 to CWND
//   while CWND < SSTHRESH, else 1/CWND; a retransmission timeout sets SSTHRESH to
//   max(CWND/2, 1) and CWND to 1.
// * The oldest unacknowledged message is retransmitted after a timeout that starts at 1 s and
//   doubles up to 8 s (§5.8 "exponential backoff"); after max_retransmits retransmissions
//   without an acknowledgement the channel gives up ("l2tp.timeout").
// * Received messages are delivered in Ns order. A message before the expected Ns is a
//   duplicate: it is dropped and acknowledged at once (its acknowledgement was lost). One
//   after it, inside our window, waits in an out-of-order queue; beyond the window it is
//   dropped. A ZLB (§5.8: a message with no AVPs) acknowledges and is never delivered.
// * An acknowledgement rides on the next message we send; when nothing is sent within
//   ack_delay, a ZLB carries it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "l2tp/common.h"
#include "wire/l2tp_message.h"

namespace ipseckit::l2tp {

struct ChannelConfig {
  std::uint16_t receive_window = 4;  // our RWS, advertised in SCCRQ/SCCRP
  unsigned max_retransmits = 5;
  Millis initial_timeout{1000};
  Millis max_timeout{8000};
  Millis ack_delay{100};
  std::size_t max_queue = 64;        // messages waiting or unacknowledged
};

struct ChannelStats {
  std::uint64_t sent = 0, retransmits = 0, zlb_sent = 0, received = 0, duplicates = 0, out_of_order = 0,
                out_of_window = 0, zlb_received = 0;
};

class ControlChannel {
 public:
  using Transmit = std::function<void(ByteView datagram)>;

  ControlChannel(ChannelConfig config, Transmit transmit);

  // The tunnel ID that goes into our headers (0 until the peer assigned one).
  void set_peer_tunnel_id(std::uint16_t id) { m_peer_tunnel_id = id; }
  std::uint16_t peer_tunnel_id() const { return m_peer_tunnel_id; }
  // §5.8: the peer's Receive Window Size AVP; 4 when the peer sent none.
  void set_peer_window(std::uint16_t rws);

  // Queues an encoded AVP list for reliable delivery to the peer session `session_id` and
  // sends it when the window allows. "l2tp.resources" when the queue is full.
  Status send(std::uint16_t session_id, Bytes avps, Millis now);

  // Takes one received control message (already parsed); returns the messages that are now
  // in order, to be processed in the order given.
  std::vector<wire::L2tpControl> receive(const wire::L2tpControl& msg, Millis now);

  // Retransmissions and delayed acknowledgements due at `now`.
  void on_timer(Millis now);
  std::optional<Millis> next_deadline() const;

  bool failed() const { return m_failed.has_value(); }
  const std::optional<Error>& failure() const { return m_failed; }
  bool idle() const { return m_queue.empty(); }  // everything sent was acknowledged
  std::size_t queued() const { return m_queue.size(); }
  std::uint16_t next_ns() const { return m_next_ns; }
  std::uint16_t expected_ns() const { return m_nr; }
  unsigned cwnd() const { return m_cwnd; }
  unsigned ssthresh() const { return m_ssthresh; }
  unsigned in_flight() const;
  Millis current_timeout() const { return m_rto; }
  const ChannelStats& stats() const { return m_stats; }

 private:
  struct Pending {
    std::uint16_t ns = 0;
    std::uint16_t session_id = 0;
    Bytes avps;
    bool sent = false;
    unsigned retransmits = 0;
  };

  void transmit(const Pending& p);
  void send_zlb();
  void fill_window(Millis now);
  void process_nr(std::uint16_t nr, Millis now);
  unsigned window() const;

  ChannelConfig m_config;
  Transmit m_transmit;
  std::uint16_t m_peer_tunnel_id = 0;
  std::uint16_t m_peer_window = 4;
  std::uint16_t m_next_ns = 0;  // Ns of the next new message
  std::uint16_t m_nr = 0;       // next Ns we expect from the peer (our Nr)
  std::deque<Pending> m_queue;  // unacknowledged, in Ns order; a prefix has been sent
  std::map<std::uint16_t, wire::L2tpControl> m_reorder;  // keyed by distance from m_nr
  unsigned m_cwnd = 1;
  unsigned m_ssthresh = 4;
  unsigned m_ca_acks = 0;
  Millis m_rto;
  std::optional<Millis> m_retransmit_at;
  std::optional<Millis> m_ack_at;
  std::optional<Error> m_failed;
  ChannelStats m_stats;
};

}  // namespace ipseckit::l2tp
