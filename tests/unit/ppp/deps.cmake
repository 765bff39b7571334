set(UNIT_DEPS ipseckit::ppp ipseckit::wire ipseckit::crypto ipseckit::base)
