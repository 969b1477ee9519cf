"""Sharing with other nodes: STIX 2.1 mapping, signatures, release decisions, TAXII 2.1 server and sync."""  # noqa: E501
