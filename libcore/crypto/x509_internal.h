// Internal to libcore/crypto's X.509 code (x509.cpp, x509_sign.cpp): OpenSSL ownership and
// decoding helpers.
#pragma once

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "base/bytes.h"
#include "base/secure_bytes.h"

namespace ipseckit::crypto::x509 {

struct Free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

// The first queued OpenSSL error as text (queue cleared).
inline std::string ssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

inline Ptr<X509> parse(ByteView der) {
  const unsigned char* p = der.data();
  Ptr<X509> x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) ERR_clear_error();
  return x;
}

inline Ptr<EVP_PKEY> parse_key(const SecureBytes& der) {
  const unsigned char* p = der.data();
  Ptr<EVP_PKEY> k(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
  if (!k) ERR_clear_error();
  return k;
}

// "C=US, O=..., CN=..." (x509.cpp).
std::string name_str(const X509_NAME* n);

}  // namespace ipseckit::crypto::x509
