// Fuzz target: IPCP packets (RFC 1332, RFC 1877 options) into the network phase of a link
// pair without authentication, from the client's or the server's side.
// Input: [selector] then records [flags][len][bytes] (see PppFuzz::feed), wrapped as IPCP.
//   selector % 2  0: the fuzzer is the client (the real client's IPCP is dropped)
//                 1: the fuzzer is the server
// Oracles as in ppp_lcp; the pool is at most one address per link whatever IPCP does.
#include <cstdint>

#include "../unit/ppp/fuzz_fixture.h"

using namespace ipseckit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool fuzz_is_client = data[0] % 2 == 0;
  fuzzing::PppFuzz f({}, ppp::AuthProtocol::pap);
  f.drop = [&](bool to_server, std::uint16_t p) { return p == 0x8021 && to_server == fuzz_is_client; };
  f.server->open();
  f.client->open();
  f.pump();
  ByteReader r(ByteView(data + 1, size - 1), "fuzz input");
  Bytes rest(r.rest().begin(), r.rest().end());
  if (!fuzz_is_client)
    for (std::size_t i = 0; i + 1 < rest.size(); i += 2u + rest[i + 1]) rest[i] |= 1;
  ByteReader rr(rest, "fuzz records");
  f.feed(rr, 0x8021);
  f.finish();
  return 0;
}
