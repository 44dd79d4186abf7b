"""TensorFlow runtime state: TF32, determinism, devices and versions."""

from __future__ import annotations


def precision_flags(tf) -> dict:
    return {"tensor_float_32_execution": bool(tf.config.experimental.tensor_float_32_execution_enabled())}


def tf32_active(tf, device: str) -> bool:
    return (device == "gpu" and bool(tf.config.list_physical_devices("GPU"))
            and bool(tf.config.experimental.tensor_float_32_execution_enabled()))


def set_precision(tf, mode: str) -> None:
    if mode == "highest":
        tf.config.experimental.enable_tensor_float_32_execution(False)


def set_deterministic(tf, on: bool) -> str:
    if on:
        tf.config.experimental.enable_op_determinism()
        return "tf.config.experimental.enable_op_determinism()"
    return "op determinism not requested (TF cannot switch it off once on)"


def info(tf) -> dict:
    build = tf.sysconfig.get_build_info()
    return {"version": tf.__version__, "cuda": build.get("cuda_version"),
            "cudnn": build.get("cudnn_version"),
            "threads": {"intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                        "inter_op": tf.config.threading.get_inter_op_parallelism_threads()},
            "devices": ["cpu"] + [d.name for d in tf.config.list_physical_devices("GPU")]}


def restore_precision(tf, flags: dict) -> None:
    tf.config.experimental.enable_tensor_float_32_execution(flags["tensor_float_32_execution"])
