set(UNIT_DEPS ipseckit::policydb)
