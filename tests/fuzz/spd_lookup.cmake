set(FUZZ_DEPS ipseckit::policy)
