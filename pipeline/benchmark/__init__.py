"""Benchmarks (``pipeline benchmark``): measured, printed, never asserted in tests."""
