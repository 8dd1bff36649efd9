"""Deterministic sample-data generator writing the real input formats (see docs/input-formats.md)."""

from pipeline.generate.run import generate

__all__ = ["generate"]
