// What the IKE engine needs from the world, injected (STYLE.md #10): the engine never opens
// a socket, reads a clock, draws randomness or does Diffie-Hellman on its own, so two engines
// run in one test process with a hand-driven clock, and a known-answer test can script every
// "random" value.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secure_bytes.h"
#include "crypto/dh.h"
#include "crypto/random.h"
#include "ike/types.h"
#include "policy/model.h"

namespace ipseckit::ike {

// Sends one UDP datagram. `datagram` is the UDP payload exactly as it goes on the wire (on
// port 4500 the engine has already put the non-ESP marker in front, RFC 3948 2.2).
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(const Endpoint& local, const Endpoint& remote, ByteView datagram) = 0;
};

// A monotonic clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// Cookies, nonces, SPIs, IVs of our padding and DPD sequence numbers come from here.
class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;
  Bytes bytes(std::size_t n) {
    Bytes b(n);
    fill(b);
    return b;
  }
};

// One ephemeral Diffie-Hellman key (crypto::DhGroup in production).
class KeyExchange {
 public:
  virtual ~KeyExchange() = default;
  virtual crypto::DhGroupId group() const = 0;
  virtual ByteView public_value() const = 0;
  // Validates the peer's value (dh.h: cheap and correct), then g^xy.
  virtual Result<SecureBytes> shared_secret(ByteView peer) const = 0;
};

class DhFactory {
 public:
  virtual ~DhFactory() = default;
  virtual Result<std::unique_ptr<KeyExchange>> create(crypto::DhGroupId g) = 0;
};

// Pre-shared keys. The SPD keeps only a reference to each key (AuthMethod::psk_ref, a store
// key under secret/); ikeview resolves it. nullopt = no key for this method and peer.
class Secrets {
 public:
  virtual ~Secrets() = default;
  virtual std::optional<SecureBytes> psk(const policy::AuthMethod& method, const wire::IpAddr& peer) = 0;
};

// Certificates for RSA-signature authentication (RFC 2409 5.1). Certificates are DER; the
// private key is DER PKCS#8 (crypto/x509.h converts from PEM or DER).
struct LocalCredential {
  std::vector<Bytes> chain;  // our certificate first, then intermediates to send with it
  SecureBytes key;
};
class Credentials {
 public:
  virtual ~Credentials() = default;
  // Our certificate and key for a cert method of a rule; nullopt = none configured.
  virtual std::optional<LocalCredential> local(const policy::AuthMethod& method) = 0;
  // The trust anchors for a cert method: the CA certificates whose subject is the method's
  // CA DN (policy CERT:"CA DN"), or every anchor when the method names none.
  virtual std::vector<Bytes> trust_anchors(const policy::AuthMethod& method) = 0;
  // CA certificates that may complete a peer's chain (intermediates it did not send); they
  // are not trusted by themselves.
  virtual std::vector<Bytes> intermediates() { return {}; }
};

// ---------------------------------------------------------------- production implementations

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// OpenSSL's CSPRNG through a crypto::RandomPool: a cookie or nonce costs a copy, not a
// RAND_bytes call. One per thread (not thread-safe).
class OsRng final : public Rng {
 public:
  void fill(std::span<std::uint8_t> out) override;

 private:
  crypto::RandomPool m_pool;
};

class OpenSslDh final : public DhFactory {
 public:
  Result<std::unique_ptr<KeyExchange>> create(crypto::DhGroupId g) override;
};

// Takes the key stored inline in the method (AuthMethod::psk), as policies built in memory
// and tests carry it.
class InlineSecrets final : public Secrets {
 public:
  std::optional<SecureBytes> psk(const policy::AuthMethod& method, const wire::IpAddr& peer) override;
};

// One local certificate chain and key for every cert method, and a list of CA
// certificates filtered by each method's CA DN (crypto::x509::dn_equal).
class StaticCredentials final : public Credentials {
 public:
  std::optional<LocalCredential> mine;
  std::vector<Bytes> anchors;
  std::optional<LocalCredential> local(const policy::AuthMethod& method) override;
  std::vector<Bytes> trust_anchors(const policy::AuthMethod& method) override;
};

}  // namespace ipseckit::ike
