#include "wire/isakmp_message.h"

#include <fmt/format.h>

#include "wire/isakmp_error.h"

namespace ipseckit::wire::isakmp {
namespace {

template <class T>
Result<PayloadBody> lift(Result<T> r) {
  if (!r) return std::move(r).error();
  return PayloadBody{std::move(*r)};
}

Result<PayloadBody> decode_body(PayloadType type, ByteView body) {
  switch (type) {
    case PayloadType::sa: return lift(parse_sa(body));
    case PayloadType::ke: return lift(parse_ke(body));
    case PayloadType::id: return lift(parse_id(body));
    case PayloadType::cert: return lift(parse_cert(body));
    case PayloadType::cr: return lift(parse_cr(body));
    case PayloadType::hash: return lift(parse_hash(body));
    case PayloadType::sig: return lift(parse_sig(body));
    case PayloadType::nonce: return lift(parse_nonce(body));
    case PayloadType::notify: return lift(parse_notify(body));
    case PayloadType::del: return lift(parse_delete(body));
    case PayloadType::vendor_id: return lift(parse_vendor_id(body));
    case PayloadType::nat_d:
    case PayloadType::nat_d_draft: return lift(parse_nat_d(body));
    case PayloadType::nat_oa:
    case PayloadType::nat_oa_draft: return lift(parse_nat_oa(body));
    case PayloadType::fragment: return lift(parse_fragment(body));
    default: return PayloadBody{UnknownPayload{Bytes(body.begin(), body.end())}};
  }
}

// The payload type a body is sent under by default.
PayloadType default_type(const PayloadBody& b) {
  struct V {
    PayloadType operator()(const SaPayload&) const { return PayloadType::sa; }
    PayloadType operator()(const KePayload&) const { return PayloadType::ke; }
    PayloadType operator()(const IdPayload&) const { return PayloadType::id; }
    PayloadType operator()(const CertPayload&) const { return PayloadType::cert; }
    PayloadType operator()(const CrPayload&) const { return PayloadType::cr; }
    PayloadType operator()(const HashPayload&) const { return PayloadType::hash; }
    PayloadType operator()(const SigPayload&) const { return PayloadType::sig; }
    PayloadType operator()(const NoncePayload&) const { return PayloadType::nonce; }
    PayloadType operator()(const NotifyPayload&) const { return PayloadType::notify; }
    PayloadType operator()(const DeletePayload&) const { return PayloadType::del; }
    PayloadType operator()(const VendorIdPayload&) const { return PayloadType::vendor_id; }
    PayloadType operator()(const NatDPayload&) const { return PayloadType::nat_d; }
    PayloadType operator()(const NatOaPayload&) const { return PayloadType::nat_oa; }
    PayloadType operator()(const FragmentPayload&) const { return PayloadType::fragment; }
    PayloadType operator()(const UnknownPayload&) const { return PayloadType::none; }
  };
  return std::visit(V{}, b);
}

bool type_fits(PayloadType t, const PayloadBody& b) {
  if (std::holds_alternative<UnknownPayload>(b)) return t != PayloadType::none;
  const PayloadType d = default_type(b);
  if (d == PayloadType::nat_d) return t == PayloadType::nat_d || t == PayloadType::nat_d_draft;
  if (d == PayloadType::nat_oa) return t == PayloadType::nat_oa || t == PayloadType::nat_oa_draft;
  return t == d;
}

}  // namespace

Payload make_payload(PayloadBody body) {
  const PayloadType t = default_type(body);
  return Payload{t, 0, std::move(body)};
}

Payload make_payload(PayloadType type, PayloadBody body) { return Payload{type, 0, std::move(body)}; }

const Payload* Message::find(PayloadType t) const {
  for (const auto& p : payloads)
    if (p.type == t) return &p;
  return nullptr;
}

std::size_t Message::count(PayloadType t) const {
  std::size_t n = 0;
  for (const auto& p : payloads) n += p.type == t ? 1 : 0;
  return n;
}

Result<Payload> decode_payload(PayloadType type, std::uint8_t reserved, ByteView body) {
  auto b = decode_body(type, body);
  if (!b) return std::move(b).error();
  return Payload{type, reserved, std::move(*b)};
}

Result<std::vector<Payload>> decode_payloads(PayloadType first, ByteView data, Trailing trailing) {
  // Shape first: every length of the chain is checked before any body is interpreted.
  auto chain = walk_payloads(first, data, trailing);
  if (!chain) return std::move(chain).error();
  std::vector<Payload> out;
  out.reserve(chain->size());
  for (const auto& rp : *chain) {
    auto p = decode_payload(rp.type, rp.reserved, rp.body);
    if (!p) return std::move(p).error();
    out.push_back(std::move(*p));
  }
  return out;
}

Result<Message> decode_message(ByteView datagram) {
  auto h = parse_header(datagram);
  if (!h) return std::move(h).error();
  Message m;
  m.header = *h;
  const ByteView body = datagram.subspan(kHeaderSize);
  if (m.header.encrypted()) {
    // RFC 2408 3.1: with the E flag "all payloads following the header are encrypted"; the
    // IKE ciphers are CBC with 8- or 16-byte blocks.
    if (body.empty() || body.size() % 8 != 0)
      return malformed(fmt::format("encrypted message with {} bytes of ciphertext (not whole blocks)", body.size()));
    m.ciphertext.assign(body.begin(), body.end());
    return m;
  }
  auto payloads = decode_payloads(m.header.next_payload, body, Trailing::reject);
  if (!payloads) return std::move(payloads).error();
  m.payloads = std::move(*payloads);
  return m;
}

Result<Bytes> encode_body(const Payload& p) {
  if (!type_fits(p.type, p.body))
    return malformed(fmt::format("payload type {} does not fit its body", p.type));
  ByteWriter w;
  struct V {
    ByteWriter& w;
    Status operator()(const SaPayload& x) const { return write_sa(w, x); }
    Status operator()(const KePayload& x) const { return bytes(x.data); }
    Status operator()(const IdPayload& x) const {
      write_id(w, x);
      return {};
    }
    Status operator()(const CertPayload& x) const {
      write_cert(w, x);
      return {};
    }
    Status operator()(const CrPayload& x) const {
      write_cr(w, x);
      return {};
    }
    Status operator()(const HashPayload& x) const { return bytes(x.data); }
    Status operator()(const SigPayload& x) const { return bytes(x.data); }
    Status operator()(const NoncePayload& x) const { return bytes(x.data); }
    Status operator()(const NotifyPayload& x) const { return write_notify(w, x); }
    Status operator()(const DeletePayload& x) const { return write_delete(w, x); }
    Status operator()(const VendorIdPayload& x) const { return bytes(x.data); }
    Status operator()(const NatDPayload& x) const { return bytes(x.hash); }
    Status operator()(const NatOaPayload& x) const {
      write_nat_oa(w, x);
      return {};
    }
    Status operator()(const FragmentPayload& x) const {
      write_fragment(w, x);
      return {};
    }
    Status operator()(const UnknownPayload& x) const { return bytes(x.data); }
    Status bytes(const Bytes& b) const {
      w.bytes(b);
      return {};
    }
  };
  IPSECKIT_TRY(std::visit(V{w}, p.body));
  return w.take();
}

Result<Bytes> encode_payloads(std::span<const Payload> payloads) {
  ByteWriter w;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    auto body = encode_body(payloads[i]);
    if (!body) return std::move(body).error();
    const std::size_t len = kGenericHeaderSize + body->size();
    if (len > 0xFFFF)
      return malformed(fmt::format("{} payload of {} bytes does not fit the 16-bit length", payloads[i].type, len));
    w.u8(raw(i + 1 < payloads.size() ? payloads[i + 1].type : PayloadType::none));
    w.u8(payloads[i].reserved);
    w.u16be(static_cast<std::uint16_t>(len));
    w.bytes(*body);
  }
  return w.take();
}

Result<Bytes> encode_message(Header h, std::span<const Payload> payloads) {
  auto body = encode_payloads(payloads);
  if (!body) return std::move(body).error();
  if (body->size() > 0xFFFFFFFFu - kHeaderSize) return malformed("message does not fit the 32-bit length");
  h.next_payload = payloads.empty() ? PayloadType::none : payloads.front().type;
  h.length = static_cast<std::uint32_t>(kHeaderSize + body->size());
  ByteWriter w;
  write_header(w, h);
  w.bytes(*body);
  return w.take();
}

Result<Bytes> encode_encrypted(Header h, PayloadType first, ByteView ciphertext) {
  if (ciphertext.size() > 0xFFFFFFFFu - kHeaderSize) return malformed("message does not fit the 32-bit length");
  h.flags = static_cast<std::uint8_t>(h.flags | flags::encryption);
  h.next_payload = first;
  h.length = static_cast<std::uint32_t>(kHeaderSize + ciphertext.size());
  ByteWriter w;
  write_header(w, h);
  w.bytes(ciphertext);
  return w.take();
}

}  // namespace ipseckit::wire::isakmp
