"""The version of sknn (kept apart so that any module can import it)."""

__version__ = "0.1.0"
