// The DH bound of an IKEv1 responder: one Main Mode costs the responder one ephemeral key pair
// and one shared secret. Timed through OpenSSL's EVP API directly, as
// ../../../shared/reference/perf-src/dhbench.c does (named groups "modp_2048" / "P-256",
// derive without OpenSSL's full peer-key check): the baseline the responder is measured
// against, so it deliberately does not go through libcore/crypto.
#include "dh_bound.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace ipseckit::bench {

namespace {

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

EVP_PKEY* params_for(const char* group) {
  const bool ec = group[0] == 'P';
  EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_name(nullptr, ec ? "EC" : "DH", nullptr);
  EVP_PKEY* p = nullptr;
  std::array<OSSL_PARAM, 2> prm{OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
                                OSSL_PARAM_construct_end()};
  if (!c || EVP_PKEY_paramgen_init(c) <= 0 || EVP_PKEY_CTX_set_params(c, prm.data()) <= 0 ||
      EVP_PKEY_paramgen(c, &p) <= 0)
    throw std::runtime_error(std::string("paramgen ") + group);
  EVP_PKEY_CTX_free(c);
  return p;
}

EVP_PKEY* keygen(EVP_PKEY* params) {
  EVP_PKEY* k = nullptr;
  EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_pkey(nullptr, params, nullptr);
  if (!c || EVP_PKEY_keygen_init(c) <= 0 || EVP_PKEY_keygen(c, &k) <= 0) throw std::runtime_error("keygen");
  EVP_PKEY_CTX_free(c);
  return k;
}

void derive(EVP_PKEY* mine, EVP_PKEY* peer) {
  std::array<unsigned char, 512> s{};
  std::size_t sl = s.size();
  EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_pkey(nullptr, mine, nullptr);
  if (!c || EVP_PKEY_derive_init(c) <= 0 || EVP_PKEY_derive_set_peer_ex(c, peer, 0) <= 0 ||
      EVP_PKEY_derive(c, s.data(), &sl) <= 0)
    throw std::runtime_error("derive");
  EVP_PKEY_CTX_free(c);
}

}  // namespace

DhBound measure_dh_bound(const char* openssl_group, double seconds) {
  EVP_PKEY* params = params_for(openssl_group);
  EVP_PKEY* peer = keygen(params);
  DhBound b;
  const double t0 = cpu_now();
  double t = t0;
  do {
    for (int i = 0; i < 10; ++i) {
      EVP_PKEY* mine = keygen(params);  // the responder's ephemeral key for this Main Mode
      derive(mine, peer);               // g^xy with the initiator's public value
      EVP_PKEY_free(mine);
    }
    b.count += 10;
    t = cpu_now();
  } while (t - t0 < seconds);
  b.per_second = static_cast<double>(b.count) / (t - t0);
  EVP_PKEY_free(peer);
  EVP_PKEY_free(params);
  return b;
}

}  // namespace ipseckit::bench
