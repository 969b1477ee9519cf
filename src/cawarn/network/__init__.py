"""Sharing with other nodes: STIX 2.1, signatures, release decisions, the TAXII 2.1 server, sync."""
