// Private keys and RSA signatures (x509.h).
#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/x509.h"
#include "crypto/x509_internal.h"

namespace ipseckit::crypto::x509 {
namespace {

// A daemon never prompts: an encrypted key is refused instead of asking the terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

Result<SecureBytes> to_pkcs8(EVP_PKEY* k) {
  Ptr<PKCS8_PRIV_KEY_INFO> p8(EVP_PKEY2PKCS8(k));
  if (!p8) return Error::make("cert", "cannot encode the private key: " + ssl_error());
  const int n = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr);
  if (n <= 0) return Error::make("cert", "cannot encode the private key: " + ssl_error());
  std::vector<std::uint8_t> der(static_cast<std::size_t>(n));
  unsigned char* p = der.data();
  i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &p);
  return SecureBytes(std::move(der));
}

}  // namespace

Result<SecureBytes> key_from_pem(std::string_view pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Ptr<EVP_PKEY> k(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!k) {
    const bool encrypted = pem.find("ENCRYPTED") != std::string_view::npos;
    ERR_clear_error();
    return Error::make("cert", encrypted ? "the private key is encrypted (a passphrase cannot be given; store it "
                                           "unencrypted, mode 0600)"
                                         : "no private key in the PEM text");
  }
  return to_pkcs8(k.get());
}

Result<SecureBytes> key_from_file_data(const SecureBytes& data) {
  if (data.view().find("-----BEGIN") != std::string_view::npos) return key_from_pem(data.view());
  auto k = parse_key(data);
  if (!k) return Error::make("cert", "neither a PEM private key nor a DER one");
  return to_pkcs8(k.get());
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

}  // namespace ipseckit::crypto::x509
