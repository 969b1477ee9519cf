"""cawarn objects as STIX 2.1 and back: ids, TLP 2.0 markings, mapping, validation, bundles."""
