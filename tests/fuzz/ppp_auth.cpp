// Fuzz target: PAP and CHAP packets (MD5, MS-CHAPv2) into the authentication tasks of a link
// whose LCP is open, from the authenticator's or the peer's side.
// Input: [selector] then records [flags][len][bytes] (see PppFuzz::feed), wrapped as PAP or
// CHAP frames.
//   selector % 3      MS-CHAPv2, CHAP-MD5, PAP
//   selector / 3 % 2  0: the fuzzer is the client (its packets reach the server's task)
//                     1: the fuzzer is the server (its packets reach the client's task)
// Oracles as in ppp_lcp.
#include <cstdint>

#include "../unit/ppp/fuzz_fixture.h"

using namespace ipseckit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const ppp::AuthProtocol kProtos[] = {ppp::AuthProtocol::mschap_v2, ppp::AuthProtocol::chap_md5,
                                              ppp::AuthProtocol::pap};
  const ppp::AuthProtocol proto = kProtos[data[0] % 3];
  const bool fuzz_is_client = (data[0] / 3) % 2 == 0;
  fuzzing::PppFuzz f({proto}, proto);
  const std::uint16_t wire_proto = proto == ppp::AuthProtocol::pap ? 0xC023 : 0xC223;
  // the real peer's authentication packets are dropped: the fuzzer speaks in its place
  f.drop = [&](bool to_server, std::uint16_t p) { return p == wire_proto && to_server == fuzz_is_client; };
  f.server->open();
  f.client->open();
  f.pump();
  ByteReader r(ByteView(data + 1, size - 1), "fuzz input");
  // records go to the side the fuzzer is not: flip bit 0 for the server-fuzzer case
  Bytes rest(r.rest().begin(), r.rest().end());
  if (!fuzz_is_client)
    for (std::size_t i = 0; i + 1 < rest.size(); i += 2u + rest[i + 1]) rest[i] |= 1;
  ByteReader rr(rest, "fuzz records");
  f.feed(rr, wire_proto);
  f.finish();
  return 0;
}
