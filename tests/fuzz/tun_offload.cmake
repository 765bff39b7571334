set(FUZZ_DEPS ipseckit::sys)
