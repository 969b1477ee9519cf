"""The TAXII 2.1 server of a node, free of any web framework: resources in, JSON text out."""
