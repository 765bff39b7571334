set(UNIT_DEPS ipseckit::store ipseckit::sys ipseckit::base)
