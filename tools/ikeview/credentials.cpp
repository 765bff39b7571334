#include "ikeview/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "base/file_read.h"
#include "crypto/x509.h"

namespace ipseckit::ikeview {
namespace x509 = crypto::x509;
namespace {

// The whole file; `secret` refuses files that group or others may read or write (like
// l2tpd's secret files) and keeps the bytes in self-wiping memory.
Result<SecureBytes> read_file(const std::string& path, const char* what, bool secret) {
  return read_small_file(path, what, secret);
}

Result<std::vector<Bytes>> read_certs(const std::string& path, const char* what) {
  auto data = read_file(path, what, false);
  if (!data) return std::move(data).error();
  auto certs = x509::certs_from_file_data(ByteView(data->data(), data->size()));
  if (!certs) return Error::make("failed", fmt::format("{} {}: {}", what, path, certs.error().message));
  return certs;
}

std::string quoted_list(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "'" : ", '") + e + "'";
  return s;
}

}  // namespace

Result<DaemonCredentials> DaemonCredentials::load(const CertOptions& opt) {
  DaemonCredentials c;
  if (opt.cert_file.empty() != opt.key_file.empty())
    return Error::make("usage", opt.cert_file.empty() ? "--key needs --cert (the certificate of that key)"
                                                      : "--cert needs --key (the certificate's private key)");
  if (!opt.cert_file.empty()) {
    auto chain = read_certs(opt.cert_file, "certificate file");
    if (!chain) return std::move(chain).error();
    auto data = read_file(opt.key_file, "private key file", true);
    if (!data) return std::move(data).error();
    auto key = x509::key_from_file_data(*data);
    if (!key) return Error::make("failed", fmt::format("private key file {}: {}", opt.key_file, key.error().message));
    if (!x509::key_matches(chain->front(), *key))
      return Error::make("failed", fmt::format("private key file {}: not the key of certificate '{}' ({}; the "
                                               "certificate must come first in the file)",
                                               opt.key_file, x509::short_name(chain->front()), opt.cert_file));
    c.m_mine = ike::LocalCredential{std::move(*chain), std::move(*key)};
    c.m_cert_file = opt.cert_file;
    c.m_key_file = opt.key_file;
  }
  auto add_cas = [&](const std::string& path) -> Status {
    auto certs = read_certs(path, "CA file");
    if (!certs) return std::move(certs).error();
    for (auto& ca : *certs) {
      if (!x509::is_ca(ca))
        return Error::make("failed", fmt::format("CA file {}: certificate '{}' is not a CA certificate (no "
                                                 "basicConstraints CA:TRUE)",
                                                 path, x509::short_name(ca)));
      c.m_cas.push_back(std::move(ca));
      c.m_ca_sources.push_back(path);
    }
    return {};
  };
  for (const auto& f : opt.ca_files)
    if (auto st = add_cas(f); !st) return std::move(st).error();
  if (!opt.ca_dir.empty()) {
    std::error_code ec;
    std::vector<std::string> files;
    for (std::filesystem::directory_iterator it(opt.ca_dir, ec), end; !ec && it != end; it.increment(ec)) {
      const auto ext = it->path().extension().string();
      std::error_code fe;
      if (it->is_regular_file(fe) && (ext == ".pem" || ext == ".crt" || ext == ".cer" || ext == ".der"))
        files.push_back(it->path().string());
    }
    if (ec) return Error::make("failed", fmt::format("CA directory {}: {}", opt.ca_dir, ec.message()));
    std::sort(files.begin(), files.end());
    if (files.empty())
      return Error::make("failed", fmt::format("CA directory {}: no *.pem, *.crt, *.cer or *.der file", opt.ca_dir));
    for (const auto& f : files)
      if (auto st = add_cas(f); !st) return std::move(st).error();
  }
  return c;
}

std::optional<ike::LocalCredential> DaemonCredentials::local(const policy::AuthMethod& method) {
  if (method.kind != policy::AuthKind::cert || !m_mine) return std::nullopt;
  return ike::LocalCredential{m_mine->chain, m_mine->key.clone()};
}

// RFC 4945 3.2.5 leaves the choice of trust anchor to local policy: here the rule's CA DN.
std::vector<Bytes> DaemonCredentials::trust_anchors(const policy::AuthMethod& method) {
  std::vector<Bytes> out;
  if (method.kind != policy::AuthKind::cert) return out;
  for (const auto& ca : m_cas) {
    if (method.ca.empty()) {
      out.push_back(ca);
      continue;
    }
    if (auto s = x509::subject(ca); s && x509::dn_equal(*s, method.ca)) out.push_back(ca);
  }
  return out;
}

std::vector<std::string> DaemonCredentials::summary() const {
  std::vector<std::string> out;
  if (m_mine) {
    const auto& leaf = m_mine->chain.front();
    auto subj = x509::subject(leaf);
    auto iss = x509::issuer(leaf);
    out.push_back(fmt::format("certificate '{}' issued by '{}' from {} ({} intermediate(s)); private key from {}",
                              subj ? *subj : "?", iss ? *iss : "?", m_cert_file, m_mine->chain.size() - 1, m_key_file));
    // Our own chain should reach a CA we load: a peer configured like us would refuse it otherwise.
    if (!m_cas.empty()) {
      const std::vector<Bytes> inter(m_mine->chain.begin() + 1, m_mine->chain.end());
      std::vector<Bytes> all = inter;
      all.insert(all.end(), m_cas.begin(), m_cas.end());
      if (auto st = x509::verify_chain(leaf, all, m_cas); !st)
        out.push_back(fmt::format("warning: our certificate '{}' does not verify against the loaded CAs: {}",
                                  x509::short_name(leaf), st.error().message));
    }
  }
  std::vector<std::string> cas;
  for (const auto& ca : m_cas) {
    auto s = x509::subject(ca);
    cas.push_back(s ? *s : "?");
  }
  if (!cas.empty()) out.push_back(fmt::format("{} CA certificate(s): {}", cas.size(), quoted_list(cas)));
  return out;
}

std::vector<std::string> DaemonCredentials::check(const DaemonCredentials* c, const policy::CompiledSpd& spd) {
  std::vector<std::string> out;
  static const DaemonCredentials kNone;
  const DaemonCredentials& me = c ? *c : kNone;
  for (const auto& a : spd.auth) {
    for (const auto& m : a.methods) {
      if (m.kind != policy::AuthKind::cert) continue;
      if (!me.m_mine)
        out.push_back(fmt::format("rule '{}' authenticates with certificates, but ikeview runs without --cert/--key",
                                  a.name));
      if (m.ca.empty()) {
        if (me.m_cas.empty())
          out.push_back(fmt::format("rule '{}' trusts any CA, but no CA certificate is loaded (--ca, --ca-dir)", a.name));
        continue;
      }
      const bool found = std::any_of(me.m_cas.begin(), me.m_cas.end(), [&](const Bytes& ca) {
        auto s = x509::subject(ca);
        return s && x509::dn_equal(*s, m.ca);
      });
      if (!found)
        out.push_back(fmt::format("rule '{}' trusts CA '{}', but no loaded CA certificate has that subject "
                                  "(--ca, --ca-dir)",
                                  a.name, m.ca));
    }
  }
  return out;
}

}  // namespace ipseckit::ikeview
