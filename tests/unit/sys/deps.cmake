set(UNIT_DEPS ipseckit::sys)
