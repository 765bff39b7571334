# make_pki DIR: an openssl-generated PKI for certificate tests (sourced by ikeview_cert.sh and
# tests/interop/strongswan_cert.sh):
#   root.pem  "C=US, O=ipseckit test, CN=Test Root"          (self-signed CA)
#   inter.pem "C=US, O=ipseckit test, CN=Test Intermediate"  (CA, signed by the root)
#   a.pem/.key "CN=gw-a", SAN IP 198.51.100.1, by the intermediate; a-chain.pem = a + inter
#   b.pem/.key "CN=gw-b", SAN IP 198.51.100.2, by the intermediate; b-chain.pem = b + inter
#   evil.pem  "CN=Evil CA" (self-signed CA); rogue.pem/.key "CN=gw-b", SAN IP 198.51.100.2, by evil
# Keys are RSA 2048, mode 0600. Returns non-zero if openssl fails.
make_pki() {
  local d=$1
  (
    set -e
    cd "$d"
    umask 077
    cat >ext.cnf <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[a]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
subjectAltName = IP:198.51.100.1
authorityKeyIdentifier = keyid
[b]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
subjectAltName = IP:198.51.100.2
authorityKeyIdentifier = keyid
CNF
    key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null; }
    # sign NAME SUBJECT ISSUER EXT
    sign() {
      openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
      openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 2 -sha256 \
        -extfile ext.cnf -extensions "$4" -out "$1.pem" 2>/dev/null
    }
    for n in root inter a b evil rogue; do key "$n" & done
    wait
    for n in root inter a b evil rogue; do [ -s "$n.key" ]; done
    openssl req -x509 -new -key root.key -subj "/C=US/O=ipseckit test/CN=Test Root" -days 2 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem 2>/dev/null
    openssl req -x509 -new -key evil.key -subj "/C=US/O=ipseckit test/CN=Evil CA" -days 2 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out evil.pem 2>/dev/null
    sign inter "/C=US/O=ipseckit test/CN=Test Intermediate" root ca
    sign a "/C=US/O=ipseckit test/CN=gw-a" inter a
    sign b "/C=US/O=ipseckit test/CN=gw-b" inter b
    sign rogue "/C=US/O=ipseckit test/CN=gw-b" evil b
    cat a.pem inter.pem >a-chain.pem
    cat b.pem inter.pem >b-chain.pem
    chmod 644 ./*.pem
  )
}
