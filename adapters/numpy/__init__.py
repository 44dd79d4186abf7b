"""The NumPy "framework": the references as an adapter (``adapter.py``)."""

from .adapter import NumpyAdapter

__all__ = ["NumpyAdapter"]
