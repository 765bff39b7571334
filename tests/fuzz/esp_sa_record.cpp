// Fuzz target: the SA store records (esp/sa_record.h). The input is one JSON document
// {"public": <esp/sa/ record>, "secret": <secret/esp/sa/ record>}. Any input either fails with
// an error that names a field, or decodes to a config that re-encodes to records which decode
// again and re-encode byte-identically, as JSON text in to_text()'s form; the public record
// never carries key material.
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
  if (e->public_text.find("_key") != std::string::npos) std::abort();
  // The texts are to_text()'s form of themselves (store/protocol.h: compact, keys sorted).
  auto pub = nlohmann::json::parse(e->public_text), sec = nlohmann::json::parse(e->secret_text);
  const auto replace = nlohmann::json::error_handler_t::replace;
  if (pub.dump(-1, ' ', false, replace) != e->public_text || sec.dump(-1, ' ', false, replace) != e->secret_text)
    std::abort();
  auto back = decode_sa(pub, sec, e->public_key);
  if (!back.ok()) std::abort();
  auto again = encode_sa(back->config, back->meta);
  if (!again.ok() || again->public_text != e->public_text || again->secret_text != e->secret_text) std::abort();
  return 0;
}
