set(UNIT_DEPS ipseckit::l2tp ipseckit::ppp ipseckit::wire ipseckit::crypto ipseckit::base)
