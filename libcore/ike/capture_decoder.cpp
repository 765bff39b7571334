// Following IKE SAs through a capture and decrypting them with Ka only (capture_decoder.h).
#include "ike/capture_decoder.h"

#include <algorithm>

#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "ike/phase1_crypto.h"

namespace ipseckit::ike {

namespace isakmp = wire::isakmp;
using Json = DescribeJson;

namespace {

Bytes concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

bool is_phase1(isakmp::ExchangeType e) {
  return e == isakmp::ExchangeType::main_mode || e == isakmp::ExchangeType::aggressive ||
         e == isakmp::ExchangeType::base || e == isakmp::ExchangeType::auth_only;
}

}  // namespace

void CaptureDecoder::add_key(const isakmp::Cookie& cky_i, Bytes ka) { m_keys[cky_i] = std::move(ka); }

Result<Json> CaptureDecoder::decode(ByteView datagram, Clock::time_point now) { return decode_at(datagram, now, 0); }

// What the clear phase-1 payloads tell: the chosen transform (the responder's SA, else the
// initiator's first offer) and g^xi, g^xr in the order they appear (MM3/MM4, AM1/AM2).
void CaptureDecoder::learn(SaState& st, const isakmp::Message& m) {
  if (m.header.message_id != 0 || !is_phase1(m.header.exchange)) return;
  const bool from_responder = std::any_of(m.header.responder_cookie.begin(), m.header.responder_cookie.end(),
                                          [](std::uint8_t b) { return b != 0; });
  if (const auto* p = m.find(isakmp::PayloadType::sa); p && (from_responder || !st.attrs)) {
    const auto* sa = p->as<isakmp::SaPayload>();
    if (sa && !sa->proposals.empty() && !sa->proposals.front().transforms.empty())
      if (auto a = isakmp::interpret_ike(sa->proposals.front().transforms.front())) st.attrs = *a;
  }
  if (const auto* p = m.find(isakmp::PayloadType::ke)) {
    const auto* ke = p->as<isakmp::KePayload>();
    if (!ke) return;
    if (st.g_xi.empty()) st.g_xi = ke->data;
    else if (st.g_xr.empty() && ke->data != st.g_xi) st.g_xr = ke->data;
  }
}

std::optional<std::vector<isakmp::Payload>> CaptureDecoder::decrypt(SaState& st, const isakmp::Message& m,
                                                                    std::string& why) {
  auto key = m_keys.find(m.header.initiator_cookie);
  if (key == m_keys.end()) return std::nullopt;
  if (!st.attrs || !st.attrs->encryption || !st.attrs->hash) {
    why = "no phase-1 SA payload seen for this IKE SA";
    return std::nullopt;
  }
  auto alg = cbc_for(*st.attrs->encryption, st.attrs->key_length);
  auto hash = hash_for(*st.attrs->hash);
  if (!alg || !hash) {
    why = "unsupported phase-1 cipher or hash";
    return std::nullopt;
  }
  if (key->second.size() != crypto::key_size(*alg)) {
    why = "the key has " + std::to_string(key->second.size()) + " bytes, the cipher needs " +
          std::to_string(crypto::key_size(*alg));
    return std::nullopt;
  }
  const std::size_t bs = crypto::block_size(*alg);
  if (!st.phase1) {
    if (st.g_xi.empty() || st.g_xr.empty()) {
      why = "phase-1 IV unknown (KE payloads not in the capture)";
      return std::nullopt;
    }
    Bytes iv = crypto::digest(*hash, concat(st.g_xi, st.g_xr));  // appendix B
    iv.resize(bs);
    st.phase1 = Chain{crypto::IvChain(std::move(iv)), {}, {}};
  }
  Chain* chain = &*st.phase1;
  if (m.header.message_id != 0) {
    auto it = st.phase2.find(m.header.message_id);
    if (it == st.phase2.end()) {
      if (st.phase2.size() >= kMaxExchanges) st.phase2.clear();
      // appendix B: hash(last phase-1 CBC block | M-ID)
      Bytes in = st.phase1->iv.iv();
      for (int s = 24; s >= 0; s -= 8) in.push_back(static_cast<std::uint8_t>(m.header.message_id >> s));
      Bytes iv = crypto::digest(*hash, in);
      iv.resize(bs);
      it = st.phase2.emplace(m.header.message_id, Chain{crypto::IvChain(std::move(iv)), {}, {}}).first;
    }
    chain = &it->second;
  }
  const bool again = !chain->last_ct.empty() && chain->last_ct == m.ciphertext;
  const Bytes iv = again ? chain->last_iv : chain->iv.iv();
  if (alg == crypto::CbcAlg::des) crypto::load_legacy_provider();
  auto cipher = crypto::CbcCipher::create(*alg, key->second);
  if (!cipher) {
    why = cipher.error().message;
    return std::nullopt;
  }
  if (m.ciphertext.empty() || m.ciphertext.size() % bs != 0) {
    why = "ciphertext is not a whole number of cipher blocks";
    return std::nullopt;
  }
  Bytes plain(m.ciphertext.size());
  if (!cipher->decrypt(iv, m.ciphertext, plain.data())) {
    why = "decryption failed";
    return std::nullopt;
  }
  auto ps = isakmp::decode_payloads(m.header.next_payload, plain, isakmp::Trailing::allow);
  if (!ps) {
    why = "decrypted payloads do not parse (wrong key or IV?): " + ps.error().message;
    return std::nullopt;
  }
  if (!again) {  // only a message that decrypted moves its chain
    chain->last_ct = m.ciphertext;
    chain->last_iv = iv;
    chain->iv.advance(m.ciphertext);
  }
  return std::move(*ps);
}

Result<Json> CaptureDecoder::decode_at(ByteView datagram, Clock::time_point now, int depth) {
  auto m = isakmp::decode_message(datagram);
  if (!m) return m.error();
  if (m_sas.size() >= kMaxSas && !m_sas.contains(m->header.initiator_cookie)) m_sas.clear();
  SaState& st = m_sas[m->header.initiator_cookie];
  Json o = describe_header(m->header);
  o["encrypted"] = m->header.encrypted();
  if (!m->header.encrypted()) {
    learn(st, *m);
    o["payloads"] = describe_payloads(m->payloads);
  } else {
    o["ciphertext_length"] = m->ciphertext.size();
    std::string why;
    auto ps = decrypt(st, *m, why);
    o["decrypted"] = ps.has_value();
    if (ps) o["payloads"] = describe_payloads(*ps);
    else if (!why.empty()) o["decrypt_error"] = why;
  }
  // Fragments (isakmp_fragment.h): the whole message once complete, one level deep.
  if (const auto* p = m->find(isakmp::PayloadType::fragment); p && depth == 0) {
    if (const auto* f = p->as<isakmp::FragmentPayload>()) {
      auto r = st.fragments.add(*f, now);
      if (!r) {
        o["fragment_error"] = r.error().message;
      } else if (*r) {
        auto whole = decode_at(**r, now, depth + 1);
        if (whole) o["reassembled"] = std::move(*whole);
        else o["fragment_error"] = "reassembled message: " + whole.error().message;
      }
    }
  }
  return o;
}

}  // namespace ipseckit::ike
