set(FUZZ_DEPS ipseckit::store)
