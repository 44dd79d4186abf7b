"""TensorFlow: the native op on device tensors; ``tf.GradientTape`` for the VJP;
``tf.function(jit_compile=True)`` (XLA) for the compiled rows. The first compiled call
(trace + XLA compile) is ``compile_s``; the tracing count is read after warm-up and must
not move while timing (a retrace would be timed as steady state). Thread pools are sized
right after import, before the first op (TF refuses it later).
"""

from __future__ import annotations

import os
import time

from ..common import as_list, own_code

from ..timing import Prepared, Timing


class TensorFlowTiming(Timing):
    name = "tensorflow"

    def setup_threads(self, n: int) -> dict:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf

        refused = None
        try:
            tf.config.threading.set_intra_op_parallelism_threads(n)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError as exc:  # TF was initialised already
            refused = str(exc)
        intra = tf.config.threading.get_intra_op_parallelism_threads()
        return {"requested": n, "actual": intra or n,
                "detail": {"intra_op": intra, "inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
                           "refused": refused}}

    def _sync(self, device):
        import tensorflow as tf

        return lambda _r: tf.test.experimental.sync_devices()

    def prepare(self, bc, work):
        import tensorflow as tf

        vjp = bc.pass_ == "forward+vjp"
        with tf.device("/GPU:0" if bc.device == "gpu" else "/CPU:0"):
            ts = [tf.constant(a) for a in work.args]
            cts = [tf.constant(c) for c in work.cotangents]
        diff = list(work.differentiable)
        op, kw = self.op(bc.module), dict(work.attrs)

        def forward(*tensors):
            return op(*tensors, **kw)

        def forward_vjp(tensors, cotangents):
            sources = [t for t, d in zip(tensors, diff) if d]
            with tf.GradientTape() as tape:
                for s in sources:
                    tape.watch(s)
                outs, _ = as_list(op(*tensors, **kw))
            return outs, tape.gradient(outs, sources, output_gradients=cotangents[:len(outs)],
                                       unconnected_gradients=tf.UnconnectedGradients.ZERO)

        fn = forward_vjp if vjp else forward
        if bc.mode == "compiled":
            fn = tf.function(own_code(fn, f"bench_{bc.module}"), jit_compile=True)
        call = (lambda: fn(ts, cts)) if vjp else (lambda: fn(*ts))
        sync = self._sync(bc.device)
        if bc.mode != "compiled":
            return Prepared(call, sync)
        t0 = time.perf_counter()
        sync(call())
        compile_s = time.perf_counter() - t0
        for _ in range(2):
            sync(call())
        traced = fn.experimental_get_tracing_count()

        def check():
            now = fn.experimental_get_tracing_count()
            if now != traced:
                raise AssertionError(f"tf.function retraced while timing ({traced} -> {now})")
        return Prepared(call, sync, compile_s, check=check)

    def gemm(self, bc, work):
        import tensorflow as tf

        with tf.device("/GPU:0" if bc.device == "gpu" else "/CPU:0"):
            a, b = (tf.constant(x) for x in work.args)
        return Prepared(lambda: tf.linalg.matmul(a, b), self._sync(bc.device))


TIMING = TensorFlowTiming
