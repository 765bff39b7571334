// Fuzz target: a whole ISAKMP datagram. Properties checked (abort on violation):
//   * decode_message never crashes; when it succeeds, encoding gives back the same bytes
//     (plaintext: header + typed payloads; encrypted: header + ciphertext);
//   * the body is also tried as a decrypted payload chain with CBC padding: the re-encoded
//     chain is a prefix of the input;
//   * every validator table and the per-payload helpers (ID text, vendor names, transform
//     interpretation) run on whatever decoded.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "wire/isakmp_message.h"
#include "wire/isakmp_rules.h"
#include "wire/isakmp_transform.h"
#include "wire/isakmp_vendor.h"

using namespace ipseckit;
using namespace ipseckit::wire::isakmp;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "isakmp_message: %s\n", what);
  std::abort();
}

void exercise(const Header& h, const std::vector<Payload>& ps) {
  for (int k = 0; k <= static_cast<int>(MessageKind::fragment); ++k)
    (void)validate(rules_for(static_cast<MessageKind>(k)), h, ps);
  for (const auto& p : ps) {
    if (!encode_body(p).ok()) fail("a decoded payload does not encode");
    if (const auto* id = p.as<IdPayload>()) (void)id->str();
    if (const auto* v = p.as<VendorIdPayload>()) (void)describe_vendor_id(v->data);
    if (const auto* sa = p.as<SaPayload>())
      for (const auto& pr : sa->proposals)
        for (const auto& t : pr.transforms) {
          if (auto a = interpret_ike(t)) (void)describe(*a);
          (void)interpret_ipsec(t);
        }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in(data, size);
  auto m = decode_message(in);
  if (m.ok()) {
    auto back = m->header.encrypted() ? encode_encrypted(m->header, m->header.next_payload, m->ciphertext)
                                      : encode_message(m->header, m->payloads);
    if (!back.ok() || Bytes(in.begin(), in.end()) != *back) fail("decode -> encode is not byte-exact");
    exercise(m->header, m->payloads);
  }
  // The same bytes after the header as if they had just been decrypted.
  if (size > kHeaderSize) {
    auto h = parse_header(in);
    const PayloadType first = static_cast<PayloadType>(data[16]);
    auto ps = decode_payloads(first, in.subspan(kHeaderSize), Trailing::allow);
    if (ps.ok()) {
      auto chain = encode_payloads(*ps);
      if (!chain.ok() || chain->size() > size - kHeaderSize ||
          !std::equal(chain->begin(), chain->end(), data + kHeaderSize))
        fail("decrypted chain does not re-encode to a prefix of its input");
      if (h.ok()) exercise(*h, *ps);
    }
  }
  return 0;
}
