set(UNIT_DEPS ipseckit::base ipseckit::wire ipseckit::crypto ipseckit::sys)
