#!/bin/sh
# Regenerates the test PKI used by tests/unit/ikeengine/cert_test.cpp (keys are test-only).
#   root  (C=US, O=ipseckit test, CN=Test Root CA)
#   ├── gw-a         (SAN IP 198.51.100.1), signed directly
#   └── intermediate (CN=Test Intermediate CA)
#       └── gw-b     (SAN IP 198.51.100.2)
#   other root (CN=Other Root CA) └── rogue gw-b (SAN IP 198.51.100.2)
set -e
cd "$(dirname "$0")"
D=36500
ext() { printf 'basicConstraints=critical,CA:%s\nkeyUsage=critical,%s\n%s\n' "$1" "$2" "$3" > ext.cnf; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days $D -subj "/C=US/O=ipseckit test/CN=Test Root CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -x509 -newkey rsa:2048 -nodes -keyout other-root.key -out other-root.pem -days $D -subj "/C=US/O=ipseckit test/CN=Other Root CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -newkey rsa:2048 -nodes -keyout inter.key -out inter.csr -subj "/C=US/O=ipseckit test/CN=Test Intermediate CA"
ext TRUE keyCertSign,cRLSign ""
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -out inter.pem -days $D -extfile ext.cnf
leaf() { # name cn ip ca cakey
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/C=US/O=ipseckit test/CN=$2"
  ext FALSE digitalSignature "subjectAltName=IP:$3"
  openssl x509 -req -in "$1.csr" -CA "$4" -CAkey "$5" -CAcreateserial -out "$1.pem" -days $D -extfile ext.cnf
}
leaf a gw-a 198.51.100.1 root.pem root.key
leaf b gw-b 198.51.100.2 inter.pem inter.key
leaf rogue gw-b 198.51.100.2 other-root.pem other-root.key
rm -f ./*.csr ./*.srl ext.cnf root.key other-root.key inter.key
