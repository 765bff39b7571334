#include "ike/x509.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace ipseckit::ike::x509 {
namespace {

struct Free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

std::string ssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Ptr<X509> parse(ByteView der) {
  const unsigned char* p = der.data();
  Ptr<X509> x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) ERR_clear_error();
  return x;
}

Ptr<EVP_PKEY> parse_key(const SecureBytes& der) {
  const unsigned char* p = der.data();
  Ptr<EVP_PKEY> k(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
  if (!k) ERR_clear_error();
  return k;
}

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

Result<SecureBytes> key_from_pem(std::string_view pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Ptr<EVP_PKEY> k(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!k) return Error::make("cert", "cannot read the private key: " + ssl_error());
  Ptr<PKCS8_PRIV_KEY_INFO> p8(EVP_PKEY2PKCS8(k.get()));
  if (!p8) return Error::make("cert", "cannot encode the private key: " + ssl_error());
  const int n = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr);
  std::vector<std::uint8_t> der(static_cast<std::size_t>(n));
  unsigned char* p = der.data();
  i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &p);
  return SecureBytes(std::move(der));
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
  const std::string who = name_str(X509_get_subject_name(x.get()));
  if (anchors.empty()) return Error::make("cert", fmt::format("certificate '{}' cannot be checked: no trusted CA is configured", who));
  Ptr<X509_STORE> store(X509_STORE_new());
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
  const X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
  ERR_clear_error();
  return Error::make("cert", fmt::format("certificate '{}' is not trusted: {}{}", who, X509_verify_cert_error_string(err),
                                         bad ? fmt::format(" (at '{}', issued by '{}')", name_str(X509_get_subject_name(bad)),
                                                           name_str(X509_get_issuer_name(bad)))
                                             : std::string()));
}

bool matches_id(ByteView cert, const wire::isakmp::IdPayload& id) {
  auto x = parse(cert);
  if (!x) return false;
  using wire::isakmp::IdType;
  if (id.type == IdType::der_asn1_dn) {
    auto s = subject_der(cert);
    return s && *s == id.data;
  }
  if (const auto a = id.as_address()) {
    const auto& b = a->bytes();
    const int r = X509_check_ip(x.get(), b.data(), a->is_v4() ? 4 : 16, 0);
    ERR_clear_error();
    return r == 1;
  }
  if (id.type == IdType::fqdn) {
    const int r = X509_check_host(x.get(), reinterpret_cast<const char*>(id.data.data()), id.data.size(), 0, nullptr);  // NOLINT
    ERR_clear_error();
    return r == 1;
  }
  return false;
}

Result<Bytes> sign_hash(const SecureBytes& key_pkcs8, ByteView hash) {
  auto k = parse_key(key_pkcs8);
  if (!k) return Error::make("cert", "our private key does not decode");
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(k.get(), nullptr));
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len, hash.data(), hash.size()) != 1)
    return Error::make("cert", "cannot sign with our key (RSA required): " + ssl_error());
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, hash.data(), hash.size()) != 1)
    return Error::make("cert", "signing failed: " + ssl_error());
  sig.resize(len);
  return sig;
}

Status verify_hash(ByteView cert, ByteView hash, ByteView signature) {
  auto x = parse(cert);
  if (!x) return Error::make("cert", "the peer's certificate does not decode");
  EVP_PKEY* pub = X509_get0_pubkey(x.get());
  Ptr<EVP_PKEY_CTX> ctx(pub ? EVP_PKEY_CTX_new(pub, nullptr) : nullptr);
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    ERR_clear_error();
    return Error::make("cert", "the peer's certificate holds no RSA key");
  }
  const int r = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), hash.data(), hash.size());
  ERR_clear_error();
  if (r != 1) return Error::make("cert", "the signature does not verify with the key of the peer's certificate");
  return {};
}

bool key_matches(ByteView cert, const SecureBytes& key_pkcs8) {
  auto x = parse(cert);
  auto k = parse_key(key_pkcs8);
  if (!x || !k) return false;
  const int r = X509_check_private_key(x.get(), k.get());
  ERR_clear_error();
  return r == 1;
}

}  // namespace ipseckit::ike::x509
