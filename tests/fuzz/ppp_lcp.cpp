// Fuzz target: LCP packets (and, raw, any PPP frame) into the RFC 1661 automaton of a link,
// during negotiation or once the link is up.
// Input: [stage] then records [flags][len][bytes] (see PppFuzz::feed).
//   stage % 3   0 only the server link is open (the fuzzer is its peer's LCP)
//               1 both links are up, no authentication (echo, terminate, renegotiation...)
//               2 only the client link is open
// Oracles besides the sanitizers: the pool never holds more than a link's address; when the
// carrier goes both links end, no timer remains and every address is back in the pool.
#include <cstdint>

#include "../unit/ppp/fuzz_fixture.h"

using namespace ipseckit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  fuzzing::PppFuzz f({}, ppp::AuthProtocol::pap);
  switch (data[0] % 3) {
    case 0: f.server->open(); break;
    case 1:
      f.server->open();
      f.client->open();
      f.run(ppp::Millis(1000), ppp::Millis(250));
      break;
    default: f.client->open(); break;
  }
  f.q.clear();
  ByteReader r(ByteView(data + 1, size - 1), "fuzz input");
  f.feed(r, static_cast<std::uint16_t>(wire::PppProtocol::lcp));
  f.finish();
  return 0;
}
