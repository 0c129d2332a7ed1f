"""synth: literature-claims synthesis and verification."""

__version__ = "0.1.0"
