#include "ike/nat_t.h"

#include <fmt/format.h>

#include "crypto/hash.h"
#include "ike/phase1_crypto.h"
#include "wire/isakmp_vendor.h"

namespace ipseckit::ike {

using isakmp::KnownVendor;
using isakmp::PayloadType;

PeerVendors read_vendors(const std::vector<isakmp::Payload>& ps) {
  PeerVendors v;
  for (const auto& p : ps) {
    const auto* vid = p.as<isakmp::VendorIdPayload>();
    if (!vid) continue;
    v.names.push_back(isakmp::describe_vendor_id(vid->data));
    const auto k = isakmp::identify_vendor(vid->data);
    if (!k) continue;
    switch (*k) {
      case KnownVendor::nat_t_rfc3947: v.nat_t = NatTVariant::rfc3947; break;
      case KnownVendor::nat_t_draft_02:
      case KnownVendor::nat_t_draft_02n:
      case KnownVendor::nat_t_draft_03:
        if (v.nat_t == NatTVariant::none) v.nat_t = NatTVariant::draft;
        break;
      case KnownVendor::dpd: v.dpd = true; break;
      case KnownVendor::fragmentation: v.fragmentation = true; break;
      default: break;
    }
  }
  return v;
}

namespace {
isakmp::Payload vid(KnownVendor k) { return isakmp::make_payload(isakmp::VendorIdPayload{isakmp::vendor_id_bytes(k)}); }
}  // namespace

std::vector<isakmp::Payload> vendor_ids_mm1(const EngineConfig& cfg) {
  std::vector<isakmp::Payload> out;
  if (cfg.nat_traversal) {
    // RFC 3947 first; the drafts for peers that predate it (strongSwan and Windows send these).
    out.push_back(vid(KnownVendor::nat_t_rfc3947));
    out.push_back(vid(KnownVendor::nat_t_draft_02n));
    out.push_back(vid(KnownVendor::nat_t_draft_02));
  }
  if (cfg.dpd) out.push_back(vid(KnownVendor::dpd));
  if (cfg.fragmentation) out.push_back(vid(KnownVendor::fragmentation));
  return out;
}

std::vector<isakmp::Payload> vendor_ids_mm2(const EngineConfig& cfg, const PeerVendors& peer) {
  std::vector<isakmp::Payload> out;
  if (cfg.nat_traversal && peer.nat_t == NatTVariant::rfc3947) out.push_back(vid(KnownVendor::nat_t_rfc3947));
  if (cfg.nat_traversal && peer.nat_t == NatTVariant::draft) out.push_back(vid(KnownVendor::nat_t_draft_02n));
  if (cfg.dpd) out.push_back(vid(KnownVendor::dpd));
  if (cfg.fragmentation && peer.fragmentation) out.push_back(vid(KnownVendor::fragmentation));
  return out;
}

void record_vendors(IkeSa& sa, const EngineConfig& cfg, const PeerVendors& peer, EventLog& log) {
  sa.nat_t = cfg.nat_traversal ? peer.nat_t : NatTVariant::none;
  sa.peer_dpd = cfg.dpd && peer.dpd;
  sa.peer_fragmentation = cfg.fragmentation && peer.fragmentation;
  if (!peer.names.empty())
    log.emit(log::Level::diag, sa.label(), fmt::format("peer vendor IDs: {}", fmt::join(peer.names, ", ")));
}

namespace {

Bytes natd_hash(const IkeSa& sa, const Endpoint& e) {
  // RFC 3947 3.2: HASH = HASH(CKY-I | CKY-R | IP | Port), with the negotiated hash.
  const auto h = sa.results().attrs && sa.results().attrs->hash ? hash_for(*sa.results().attrs->hash) : std::nullopt;
  Bytes in(sa.cky_i().begin(), sa.cky_i().end());
  in.insert(in.end(), sa.cky_r().begin(), sa.cky_r().end());
  const auto& a = e.addr.bytes();
  in.insert(in.end(), a.begin(), a.begin() + (e.addr.is_v4() ? 4 : 16));
  in.push_back(static_cast<std::uint8_t>(e.port >> 8));
  in.push_back(static_cast<std::uint8_t>(e.port & 0xFF));
  return crypto::digest(h.value_or(crypto::HashAlg::sha1), in);
}

PayloadType natd_type(const IkeSa& sa) {
  return sa.nat_t == NatTVariant::draft ? PayloadType::nat_d_draft : PayloadType::nat_d;
}

}  // namespace

std::vector<isakmp::Payload> natd_payloads(const IkeSa& sa) {
  std::vector<isakmp::Payload> out;
  if (sa.nat_t == NatTVariant::none) return out;
  // The first names the peer (the destination), the second us (the source).
  out.push_back(isakmp::make_payload(natd_type(sa), isakmp::NatDPayload{natd_hash(sa, sa.remote())}));
  out.push_back(isakmp::make_payload(natd_type(sa), isakmp::NatDPayload{natd_hash(sa, sa.local())}));
  return out;
}

void detect_nat(IkeSa& sa, const std::vector<isakmp::Payload>& ps, EventLog& log) {
  if (sa.nat_t == NatTVariant::none) return;
  std::vector<const Bytes*> hashes;
  for (const auto& p : ps)
    if (const auto* d = p.as<isakmp::NatDPayload>()) hashes.push_back(&d->hash);
  if (hashes.size() < 2) {
    log.emit(log::Level::audit, sa.label(),
             "the peer announced NAT traversal but sent no NAT-D payloads; assuming no NAT in the path");
    return;
  }
  // RFC 3947 3.2: the first hash is of our address as the peer sees it; the others of the
  // peer's own addresses. A mismatch means a NAT rewrote that side.
  sa.nat_local = *hashes.front() != natd_hash(sa, sa.local());
  const Bytes peer = natd_hash(sa, sa.remote());
  sa.nat_remote = true;
  for (std::size_t i = 1; i < hashes.size(); ++i)
    if (*hashes[i] == peer) sa.nat_remote = false;
  if (sa.nat_detected())
    log.emit(log::Level::control, sa.label(),
             fmt::format("NAT detected: {}{}{}", sa.nat_local ? "we are behind a NAT" : "",
                         sa.nat_local && sa.nat_remote ? " and " : "",
                         sa.nat_remote ? fmt::format("the peer ({}) is behind a NAT", sa.remote().str()) : ""));
  else
    log.emit(log::Level::diag, sa.label(), "no NAT between the peers");
}

void float_to_natt_port(IkeSa& sa, EventLog& log) {
  if (!sa.nat_detected() || sa.local().port == kNatTPort) return;
  // RFC 3947 4: the initiator moves to port 4500 (both ports) from message 5 on.
  Endpoint l = sa.local(), r = sa.remote();
  l.port = kNatTPort;
  r.port = kNatTPort;
  sa.set_local(l);
  sa.set_remote(r);
  log.emit(log::Level::control, sa.label(), fmt::format("NAT-T: floating to {} -> {}", l.str(), r.str()));
}

isakmp::PayloadType nat_oa_type(const IkeSa& sa) {
  return sa.nat_t == NatTVariant::draft ? PayloadType::nat_oa_draft : PayloadType::nat_oa;
}

std::vector<wire::IpAddr> nat_oa_addresses(const std::vector<isakmp::Payload>& ps) {
  std::vector<wire::IpAddr> out;
  for (const auto& p : ps)
    if (const auto* oa = p.as<isakmp::NatOaPayload>()) out.push_back(oa->address);
  return out;
}

}  // namespace ipseckit::ike
