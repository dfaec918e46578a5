"""ONNX Runtime target: a one-node ONNX model, ``Dropout`` (opset 22) with ``ratio`` and ``training_mode`` as
inputs, run by ONNX Runtime's CPU execution provider.

Forward only: ONNX Runtime's training build (``onnxruntime-training``) is not published for current releases, so
the properties that need a gradient (``backward_mask``, the gradient half of ``edge_rates``) are skipped. The model
has no ``seed`` attribute, so the kernel draws from ONNX Runtime's default generator, which each call seeds with
``onnxruntime.set_seed(seed)`` first; there is no way to read the previous seed back, so it is left set. The ratio
crosses as float64 for float64 data and as float32 otherwise (a float16 ratio would move the rate itself).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from . import require

onnx = require("onnx", "onnxruntime")
ort = require("onnxruntime", "onnxruntime")
helper = onnx.helper
TensorProto = onnx.TensorProto

OPSET = 22


def dropout_model(dtype: np.dtype, ratio_dtype: np.dtype, seed: int | None = None) -> bytes:
    """A serialized model ``y, mask = Dropout(x, ratio, training_mode)`` of any shape, for one data dtype (and a
    ``seed`` attribute when one is given)."""
    elem = helper.np_dtype_to_tensor_dtype(dtype)
    attributes = {} if seed is None else {"seed": seed}
    node = helper.make_node("Dropout", ["x", "ratio", "training_mode"], ["y", "mask"], **attributes)
    graph = helper.make_graph(
        [node], "dropout",
        [helper.make_tensor_value_info("x", elem, None),
         helper.make_tensor_value_info("ratio", helper.np_dtype_to_tensor_dtype(ratio_dtype), []),
         helper.make_tensor_value_info("training_mode", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("y", elem, None), helper.make_tensor_value_info("mask", TensorProto.BOOL, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 10
    return bytes(model.SerializeToString())


class OnnxDropout:
    """An ONNX ``Dropout`` node in an ``InferenceSession`` per dtype (built on first use)."""

    convention = "inverted"
    name = "onnxruntime"
    versions: ClassVar[dict[str, str]] = {"onnxruntime": ort.__version__, "onnx": onnx.__version__}

    def __init__(self) -> None:
        self.sessions: dict[str, tuple[Any, np.dtype]] = {}

    def _session(self, dtype: np.dtype) -> tuple[Any, np.dtype]:
        if dtype.name not in self.sessions:
            ratio_dtype = np.dtype(np.float64 if dtype == np.float64 else np.float32)
            options = ort.SessionOptions()
            options.log_severity_level = 4  # a refused ratio is an exception here, not also a line on stderr
            session = ort.InferenceSession(dropout_model(dtype, ratio_dtype), options,
                                           providers=["CPUExecutionProvider"])
            self.sessions[dtype.name] = (session, ratio_dtype)
        return self.sessions[dtype.name]

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        session, ratio_dtype = self._session(x.dtype)
        ort.set_seed(seed)
        feed = {"x": np.array(x, order="C"), "ratio": np.array(p, dtype=ratio_dtype),
                "training_mode": np.array(training)}
        return np.asarray(session.run(["y"], feed)[0])


def session_with_seed(seed: int) -> Any:
    """A float32 session whose node carries ``seed``: the form onnxruntime#1487 is about (each new session
    repeats the sequence of masks), for the findings script and the tests."""
    model = dropout_model(np.dtype(np.float32), np.dtype(np.float32), seed=seed)
    return ort.InferenceSession(model, providers=["CPUExecutionProvider"])
