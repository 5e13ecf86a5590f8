"""lemma's version (read by pyproject.toml and the saved-model format)."""

__version__ = "0.1.0"
