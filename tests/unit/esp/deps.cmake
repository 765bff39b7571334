set(UNIT_DEPS ipseckit::esp ipseckit::wire ipseckit::crypto ipseckit::policy)
