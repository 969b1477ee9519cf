"""cawarn: the software of a counter-terrorism early warning network node for Central Asia."""

__version__ = "0.1.0.dev0"
