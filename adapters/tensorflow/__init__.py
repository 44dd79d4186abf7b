"""TensorFlow adapter (``adapter.py``) and its op tables (``*_ops.py``)."""

from .adapter import TensorFlowAdapter

__all__ = ["TensorFlowAdapter"]
