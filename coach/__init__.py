"""coach: a desktop rehabilitation exercise coach."""

__version__ = "0.1.0"
