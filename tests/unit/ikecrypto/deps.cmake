# OpenSSL only for independent cross-checks (named RFC 3526 groups, primality).
set(UNIT_DEPS ipseckit::base ipseckit::wire ipseckit::crypto OpenSSL::Crypto)
