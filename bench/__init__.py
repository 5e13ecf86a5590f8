"""Benchmarks and accuracy reports (not part of the installed package)."""
