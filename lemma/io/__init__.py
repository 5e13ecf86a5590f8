"""Input and output: bundled datasets (and, later, safe model persistence)."""
