# tools/ikeview's store records (its library ipseckit_ikeview_records); store::to_text is the
# reference form of their text.
set(UNIT_DEPS ipseckit_ikeview_records ipseckit::store)
