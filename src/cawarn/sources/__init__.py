"""Input formats: one module per source, each turning its files into domain objects."""
