set(FUZZ_DEPS ipseckit::esp)
