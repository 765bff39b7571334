// Fuzz target: the SA store records (esp/sa_record.h). The input is one JSON document
// {"public": <esp/sa/ record>, "secret": <secret/esp/sa/ record>}. Any input either fails with
// an error that names a field, or decodes to a config that re-encodes to records which decode
// again and re-encode byte-identically; the public record never carries key material.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/strings.h"
#include "esp/sa_record.h"

using ipseckit::esp::decode_sa;
using ipseckit::esp::encode_sa;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (ipseckit::str::json_nesting_depth(text, 64) > 64) return 0;
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("public") || !doc.contains("secret")) return 0;
  auto r = decode_sa(doc["public"], doc["secret"], "esp/sa/x");
  if (!r.ok()) {
    if (r.error().message.find("esp/sa/x") == std::string::npos) std::abort();  // names the field
    return 0;
  }
  auto e = encode_sa(r->config, r->meta);
  if (!e.ok()) std::abort();  // decode accepted what encode refuses
  if (e->public_record.dump().find("_key") != std::string::npos) std::abort();
  auto back = decode_sa(e->public_record, e->secret_record, e->public_key);
  if (!back.ok()) std::abort();
  auto again = encode_sa(back->config, back->meta);
  if (!again.ok() || again->public_record.dump() != e->public_record.dump() ||
      again->secret_record.dump() != e->secret_record.dump())
    std::abort();
  return 0;
}
