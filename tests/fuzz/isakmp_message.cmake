set(FUZZ_DEPS ipseckit::wire)
