"""Probability and statistics: inference for fitted models (and, later, tests and distributions)."""
