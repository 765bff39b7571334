set(FUZZ_DEPS ipseckit::l2tp ipseckit::wire ipseckit::crypto ipseckit::base)
