set(FUZZ_DEPS ipseckit::ppp ipseckit::wire ipseckit::crypto ipseckit::base)
