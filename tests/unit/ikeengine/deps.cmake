set(UNIT_DEPS ipseckit::ike)
