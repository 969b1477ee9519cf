"""The ingest pipeline: validate, normalise, geo-assign, deduplicate, upsert, quarantine."""
