"""PyTorch adapter (``adapter.py``) and its op tables (``*_ops.py``)."""

from .adapter import TorchAdapter

__all__ = ["TorchAdapter"]
