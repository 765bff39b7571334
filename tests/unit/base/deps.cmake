set(UNIT_DEPS ipseckit::base ipseckit::wire ipseckit::crypto ipseckit::sys
    ipseckit::store)  # store::to_text: json_text_test.cpp's reference
