// The daemon's certificates (man/ikeview.8, CERTIFICATES): its own certificate chain and
// private key (--cert, --key) and the CA certificates it trusts (--ca, --ca-dir), loaded once
// at start. Rules with CERT:"CA DN" trust the loaded CA certificate(s) with that subject;
// CERT without a DN trusts every loaded CA. The key is never logged or printed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ike/env.h"
#include "policy/spd_types.h"

namespace ipseckit::ikeview {

struct CertOptions {
  std::string cert_file;              // PEM: our certificate first, then intermediates (or one DER)
  std::string key_file;               // PEM or DER, unencrypted, mode 0600 or stricter
  std::vector<std::string> ca_files;  // PEM/DER CA certificates: roots and intermediates
  std::string ca_dir;                 // every *.pem, *.crt, *.cer, *.der file in it
  bool any() const { return !cert_file.empty() || !key_file.empty() || !ca_files.empty() || !ca_dir.empty(); }
};

class DaemonCredentials final : public ike::Credentials {
 public:
  // Errors name the file and the reason ("failed"); --cert without --key and the reverse are
  // "usage" errors.
  static Result<DaemonCredentials> load(const CertOptions& opt);

  std::optional<ike::LocalCredential> local(const policy::AuthMethod& method) override;
  std::vector<Bytes> trust_anchors(const policy::AuthMethod& method) override;
  std::vector<Bytes> intermediates() override { return m_cas; }

  // What was loaded, for the start-up log (never the key).
  std::vector<std::string> summary() const;
  // Problems of an SPD's certificate rules with these credentials (nullptr: none loaded): no
  // certificate of our own, or a CA DN that no loaded CA certificate has.
  static std::vector<std::string> check(const DaemonCredentials* c, const policy::CompiledSpd& spd);

 private:
  std::optional<ike::LocalCredential> m_mine;
  std::string m_cert_file, m_key_file;
  std::vector<Bytes> m_cas;
  std::vector<std::string> m_ca_sources;  // file each CA came from, parallel to m_cas
};

}  // namespace ipseckit::ikeview
