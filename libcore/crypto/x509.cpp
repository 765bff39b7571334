#include "crypto/x509.h"

#include "crypto/x509_internal.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace ipseckit::crypto::x509 {

std::string name_str(const X509_NAME* n) {
  // RFC 2253 order (most specific first) reversed to X.500 order: "C=US, O=..., CN=...".
  std::vector<std::string> parts;
  for (int i = 0; i < X509_NAME_entry_count(n); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(n, i);
    const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    const char* sn = OBJ_nid2sn(nid);
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
    if (len < 0) continue;
    parts.push_back(fmt::format("{}={}", sn ? sn : "?", std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len))));  // NOLINT
    OPENSSL_free(utf8);
  }
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s;
}

namespace {

std::vector<std::string> rdns(std::string_view dn) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::size_t b = 0, e = cur.size();
    while (b < e && std::isspace(static_cast<unsigned char>(cur[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(cur[e - 1]))) --e;
    std::string t = cur.substr(b, e - b);
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!t.empty()) out.push_back(t);
    cur.clear();
  };
  for (const char c : dn) {
    if (c == ',' || c == '/') flush();
    else cur += c;
  }
  flush();
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<std::vector<Bytes>> certs_from_pem(std::string_view pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<Bytes> out;
  for (;;) {
    Ptr<X509> x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!x) break;
    const int n = i2d_X509(x.get(), nullptr);
    Bytes der(static_cast<std::size_t>(n));
    unsigned char* p = der.data();
    i2d_X509(x.get(), &p);
    out.push_back(std::move(der));
  }
  ERR_clear_error();
  if (out.empty()) return Error::make("cert", "no PEM certificate found");
  return out;
}

Result<std::vector<Bytes>> certs_from_file_data(ByteView data) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());  // NOLINT
  if (text.find("-----BEGIN") != std::string_view::npos) {
    auto c = certs_from_pem(text);
    if (!c) return Error::make("cert", "no certificate in the PEM text (expected -----BEGIN CERTIFICATE-----)");
    return c;
  }
  auto x = parse(data);
  if (!x) return Error::make("cert", "neither a PEM certificate nor a DER one");
  return std::vector<Bytes>{Bytes(data.begin(), data.end())};
}

std::string short_name(ByteView cert) {
  auto x = parse(cert);
  if (!x) return "(undecodable certificate)";
  const X509_NAME* n = X509_get_subject_name(x.get());
  const int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
  if (i < 0) return name_str(n);
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
  if (len < 0) return name_str(n);
  std::string s = "CN=" + std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));  // NOLINT
  OPENSSL_free(utf8);
  return s;
}

bool is_ca(ByteView cert) {
  auto x = parse(cert);
  return x && X509_check_ca(x.get()) >= 1;
}

bool is_self_signed(ByteView cert) {
  auto x = parse(cert);
  if (!x) return false;
  const bool r = X509_check_issued(x.get(), x.get()) == X509_V_OK;
  ERR_clear_error();
  return r;
}

Result<std::string> subject(ByteView cert) {
  auto x = parse(cert);
  if (!x) return Error::make("cert", "undecodable certificate");
  return name_str(X509_get_subject_name(x.get()));
}

Result<std::string> issuer(ByteView cert) {
  auto x = parse(cert);
  if (!x) return Error::make("cert", "undecodable certificate");
  return name_str(X509_get_issuer_name(x.get()));
}

Result<Bytes> subject_der(ByteView cert) {
  auto x = parse(cert);
  if (!x) return Error::make("cert", "undecodable certificate");
  unsigned char* out = nullptr;
  const int n = i2d_X509_NAME(X509_get_subject_name(x.get()), &out);
  if (n <= 0) return Error::make("cert", "cannot encode the subject");
  Bytes b(out, out + n);
  OPENSSL_free(out);
  return b;
}

bool dn_equal(std::string_view a, std::string_view b) { return rdns(a) == rdns(b); }

Status verify_chain(ByteView leaf, std::span<const Bytes> intermediates, std::span<const Bytes> anchors) {
  auto x = parse(leaf);
  if (!x) return Error::make("cert", "the peer's certificate does not decode");
  if (anchors.empty()) return Error::make("cert", "no trusted CA is configured");
  Ptr<X509_STORE> store(X509_STORE_new());
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);  // an anchor may be an intermediate
  for (const auto& a : anchors)
    if (auto ax = parse(a)) X509_STORE_add_cert(store.get(), ax.get());
  Ptr<STACK_OF(X509)> chain(sk_X509_new_null());
  for (const auto& i : intermediates)
    if (auto ix = parse(i)) sk_X509_push(chain.get(), ix.release());
  Ptr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (!X509_STORE_CTX_init(ctx.get(), store.get(), x.get(), chain.get()))
    return Error::make("cert", "certificate check setup failed: " + ssl_error());
  if (X509_verify_cert(ctx.get()) == 1) return {};
  const int err = X509_STORE_CTX_get_error(ctx.get());
  X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
  ERR_clear_error();
  // Where up the chain it failed, when that is not the leaf itself.
  std::string at;
  if (bad && X509_cmp(bad, x.get()) != 0)
    at = fmt::format(" (at '{}', issued by '{}')", name_str(X509_get_subject_name(bad)), name_str(X509_get_issuer_name(bad)));
  return Error::make("cert", std::string(X509_verify_cert_error_string(err)) + at);
}

bool names_ip(ByteView cert, ByteView addr) {
  auto x = parse(cert);
  if (!x || (addr.size() != 4 && addr.size() != 16)) return false;
  const int r = X509_check_ip(x.get(), addr.data(), addr.size(), 0);
  ERR_clear_error();
  return r == 1;
}

bool names_dns(ByteView cert, std::string_view host) {
  auto x = parse(cert);
  if (!x) return false;
  const int r = X509_check_host(x.get(), host.data(), host.size(), 0, nullptr);
  ERR_clear_error();
  return r == 1;
}

}  // namespace ipseckit::crypto::x509
