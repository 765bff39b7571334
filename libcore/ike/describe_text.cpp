// The text form of describe.h's message objects (`ikeview decode` without --json).
#include <fmt/format.h>

#include "ike/describe.h"

namespace ipseckit::ike {

using Json = DescribeJson;

namespace {

std::string str(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "-";
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    return s.empty() ? "-" : s;
  }
  return it->dump();
}

std::string flags(const Json& m) {
  std::string f;
  auto it = m.find("flags");
  if (it == m.end() || !it->is_array()) return "-";
  for (const auto& x : *it) {
    const std::string s = x.is_string() ? x.get<std::string>() : "";
    f += s == "encryption" ? "E" : s == "commit" ? "C" : s == "auth_only" ? "A" : "?";
  }
  return f.empty() ? "-" : f;
}

std::string attrs(const Json& t) {
  std::string out;
  auto it = t.find("attributes");
  if (it == t.end() || !it->is_array()) return out;
  for (const auto& a : *it) {
    if (!out.empty()) out += ", ";
    auto v = a.find("value");
    out += str(a, "name") + "=" +
           (v != a.end() && v->is_string() ? v->get<std::string>() : (v != a.end() ? v->dump() : "?"));
  }
  return out;
}

void payload(std::string& out, const Json& p, const std::string& ind) {
  const std::string t = str(p, "type");
  if (t == "SA") {
    out += fmt::format("{}SA doi {} {}\n", ind, str(p, "doi"), str(p, "situation"));
    for (const auto& pr : p.value("proposals", Json::array())) {
      out += fmt::format("{}  proposal {} {} spi {}\n", ind, str(pr, "number"), str(pr, "protocol"), str(pr, "spi"));
      for (const auto& tr : pr.value("transforms", Json::array()))
        out += fmt::format("{}    transform {} {}: {}\n", ind, str(tr, "number"), str(tr, "id"), attrs(tr));
    }
  } else if (t == "ID") {
    out += fmt::format("{}ID {}\n", ind, str(p, "text"));
  } else if (t == "N") {
    out += fmt::format("{}N {} {} spi {}{}\n", ind, str(p, "notify"), str(p, "protocol"), str(p, "spi"),
                       p.contains("sequence") ? " seq " + str(p, "sequence") : "");
  } else if (t == "D") {
    std::string spis;
    for (const auto& s : p.value("spis", Json::array())) spis += " " + (s.is_string() ? s.get<std::string>() : "?");
    out += fmt::format("{}D {} spis{}\n", ind, str(p, "protocol"), spis);
  } else if (t == "VID") {
    out += fmt::format("{}VID {}\n", ind, str(p, "vendor"));
  } else if (t == "NAT-D" || t == "NAT-D(draft)") {
    out += fmt::format("{}{} {} bytes {}\n", ind, t, str(p, "length"), str(p, "hash"));
  } else if (t == "NAT-OA" || t == "NAT-OA(draft)") {
    out += fmt::format("{}{} {}\n", ind, t, str(p, "address"));
  } else if (t == "FRAG") {
    out += fmt::format("{}FRAG id {} number {}{}, {} bytes\n", ind, str(p, "fragment_id"), str(p, "number"),
                       p.value("last", false) ? " (last)" : "", str(p, "length"));
  } else if (t == "CERT" || t == "CR") {
    out += fmt::format("{}{} {} {} bytes\n", ind, t, str(p, "encoding"), str(p, "length"));
  } else {
    out += fmt::format("{}{} {} bytes\n", ind, t, str(p, "length"));
  }
}

void payloads(std::string& out, const Json& m, const std::string& ind) {
  auto it = m.find("payloads");
  if (it == m.end() || !it->is_array()) return;
  for (const auto& p : *it) payload(out, p, ind);
}

}  // namespace

std::string dump_json(const Json& m) { return m.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string render_message(const Json& m) {
  std::string out = fmt::format("#{} {} {} -> {} {} cky {}/{} flags {} mid {} len {}\n", str(m, "packet"),
                                str(m, "time_relative"), str(m, "src"), str(m, "dst"), str(m, "exchange"),
                                str(m, "cky_i"), str(m, "cky_r"), flags(m), str(m, "message_id"), str(m, "length"));
  if (m.value("encrypted", false)) {
    if (m.value("decrypted", false)) {
      out += fmt::format("  (decrypted, {} bytes)\n", str(m, "ciphertext_length"));
      payloads(out, m, "    ");
    } else {
      out += fmt::format("  (encrypted, {} bytes{})\n", str(m, "ciphertext_length"),
                         m.contains("decrypt_error") ? "; " + str(m, "decrypt_error") : "");
    }
  } else {
    payloads(out, m, "  ");
  }
  if (auto r = m.find("reassembled"); r != m.end() && r->is_object()) {
    out += "  reassembled message:\n";
    std::string inner = render_message(*r);
    // indent the inner rendering by four spaces
    std::string ind = "    ";
    for (char c : inner) {
      ind += c;
      if (c == '\n') {
        out += ind;
        ind = "    ";
      }
    }
  }
  return out;
}

}  // namespace ipseckit::ike
