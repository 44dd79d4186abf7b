"""JAX adapter (``adapter.py``) and its op tables (``*_ops.py``)."""

from .adapter import JaxAdapter

__all__ = ["JaxAdapter"]
