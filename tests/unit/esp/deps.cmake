set(UNIT_DEPS ipseckit::esp ipseckit::wire ipseckit::crypto ipseckit::policy
    ipseckit::store)  # store::to_text: the records' text form (sa_record_test.cpp)
