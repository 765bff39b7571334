set(FUZZ_DEPS ipseckit::ike)
