set(UNIT_DEPS ipseckit::policy)
