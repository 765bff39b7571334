set(UNIT_DEPS ipseckit::base ipseckit::wire)
