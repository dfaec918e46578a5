"""The target protocol: what gets verified, how it is named, and the adapter the checks call through.

A target is any object with ``forward(x, p, *, training, seed) -> array``, optionally
``forward_backward(x, dy, p, *, seed) -> (y, dx)``, ``convention = "inverted" | "classic"`` and
``law = "bernoulli" | "alpha" | "gaussian"`` (see ``laws``); a plain function ``f(x, p, *, training, seed)`` is a
forward-only target.
"""

from __future__ import annotations

import importlib
import inspect
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .floatbits import any_nan
from .laws import Law, law_named
from .structure import Structure, StructureError


class TargetLoadError(Exception):
    """A target name that cannot be resolved: unknown, not importable, or not a target."""


class TargetCallError(Exception):
    """A target call that raised or returned something unusable; the message names the call.

    ``raised`` tells a call that raised (or crashed, or hung) from one that returned a bad output."""

    def __init__(self, message: str, *, raised: bool = True) -> None:
        super().__init__(message)
        self.raised = raised


class WrongValue(TargetCallError):
    """A call that returned a value the law excludes whatever the mask (NaN where the input was finite): a
    finding about the target, so the property that meets it fails (``error`` is for calls it cannot judge)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, raised=False)


class InputWritten(TargetCallError):
    """A call that wrote into the read-only input the verifier passed: the harness's own protection, so the
    property it happens in is an ``error`` (``contract`` reports the write as its finding)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, raised=False)


@runtime_checkable
class Target(Protocol):
    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> Any: ...


def _reference() -> Any:
    from .builtin_targets import ReferenceTarget

    return ReferenceTarget()


def _reference_classic() -> Any:
    from .builtin_targets import ReferenceTarget

    return ReferenceTarget(convention="classic")


def _reference_2d() -> Any:
    from .builtin_targets import ReferenceChannelTarget

    return ReferenceChannelTarget()


def _reference_alpha() -> Any:
    from .builtin_targets import ReferenceAlphaTarget

    return ReferenceAlphaTarget()


def _reference_gaussian() -> Any:
    from .builtin_targets import ReferenceGaussianTarget

    return ReferenceGaussianTarget()


def _adapter(module: str, attr: str) -> Callable[[], Any]:
    def make() -> Any:
        from .adapters import MissingFramework

        try:
            return getattr(importlib.import_module(f".adapters.{module}", __package__), attr)()
        except MissingFramework as error:
            raise TargetLoadError(str(error)) from error

    return make


# Built-in names map to zero-argument factories so that nothing is imported before it is needed.
BUILTIN_TARGETS: dict[str, Callable[[], Any]] = {
    "reference": _reference,
    "reference-classic": _reference_classic,
    "reference-2d": _reference_2d,
    "reference-alpha": _reference_alpha,
    "reference-gaussian": _reference_gaussian,
    "torch": _adapter("pytorch", "Functional"),
    "torch-module": _adapter("pytorch", "Module"),
    "torch-dropout2d": _adapter("pytorch", "Dropout2d"),
    "torch-dropout2d-unbatched": _adapter("pytorch", "Dropout2dUnbatched"),
    "torch-dropout1d": _adapter("pytorch", "Dropout1d"),
    "torch-dropout3d": _adapter("pytorch", "Dropout3d"),
    "torch-alpha": _adapter("pytorch", "AlphaDropout"),
    "torch-feature-alpha": _adapter("pytorch", "FeatureAlphaDropout"),
    "torch-refs-alpha": _adapter("pytorch", "RefsAlphaDropout"),
    "timm-droppath": _adapter("stochastic_depth", "TimmDropPath"),
    "torchvision-stochastic-depth": _adapter("stochastic_depth", "TorchvisionStochasticDepth"),
    "torch-ddp": _adapter("torch_distributed", "DataParallel"),
    "torch-ddp-offset": _adapter("torch_distributed", "DataParallelOffset"),
    "torch-compile": _adapter("pytorch", "Compiled"),
    "torch-compile-recompute": _adapter("pytorch", "CompiledRecompute"),
    "jax": _adapter("flax", "Nnx"),
    "flax-linen": _adapter("flax", "Linen"),
    "jax-jit": _adapter("flax", "Jitted"),
    "jax-broadcast": _adapter("flax", "NnxBroadcast"),
    "jax-sharded": _adapter("jax_sharded", "Sharded"),
    "jax-sharded-rbg": _adapter("jax_sharded", "ShardedRbg"),
    "haiku": _adapter("haiku", "Haiku"),
    "haiku-jit": _adapter("haiku", "HaikuJit"),
    "equinox": _adapter("equinox", "Equinox"),
    "equinox-jit": _adapter("equinox", "EquinoxJit"),
    "tensorflow": _adapter("tensorflow", "NnDropout"),
    "tf-stateless": _adapter("tensorflow", "StatelessDropout"),
    "keras": _adapter("tensorflow", "KerasDropout"),
    "keras-spatial2d": _adapter("tensorflow", "KerasSpatialDropout2D"),
    "keras-spatial1d": _adapter("tensorflow", "KerasSpatialDropout1D"),
    "keras-spatial3d": _adapter("tensorflow", "KerasSpatialDropout3D"),
    "keras-alpha": _adapter("tensorflow", "KerasAlphaDropout"),
    "keras-gaussian": _adapter("tensorflow", "KerasGaussianDropout"),
    "mlx": _adapter("mlx", "Eager"),
    "mlx-compile": _adapter("mlx", "Compiled"),
    "mlx-compile-nostate": _adapter("mlx", "CompiledWithoutState"),
    "mlx-dropout2d": _adapter("mlx", "Dropout2d"),
    "mlx-dropout3d": _adapter("mlx", "Dropout3d"),
    "onnxruntime": _adapter("onnxruntime", "OnnxDropout"),
    "paddle": _adapter("paddle", "Upscale"),
    "paddle-downscale": _adapter("paddle", "Downscale"),
    "paddle-dropout2d": _adapter("paddle", "Dropout2d"),
    "paddle-alpha": _adapter("paddle", "AlphaDropout"),
    "keras-jax": _adapter("keras_jax", "KerasJax"),
    "keras-jax-spatial2d": _adapter("keras_jax", "KerasJaxSpatial2D"),
    "keras-jax-jit": _adapter("keras_jax", "KerasJaxJit"),
    "keras-torch": _adapter("keras_torch", "KerasTorch"),
    "keras-torch-spatial2d": _adapter("keras_torch", "KerasTorchSpatial2D"),
}


class FunctionTarget:
    """Wraps a plain ``f(x, p, *, training, seed)`` as a forward-only target."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        self.convention = getattr(function, "convention", "inverted")
        self.law = getattr(function, "law", "bernoulli")

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> Any:
        return self.function(x, p, training=training, seed=seed)


def _required_positional(obj: Callable[..., Any]) -> int:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return 0
    return sum(
        1
        for parameter in signature.parameters.values()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
    )


def as_target(obj: Any, name: str = "") -> Any:
    """Turn a target, a class, a zero-argument factory or a plain function into a target object (a distributed
    target has ``forward_ranks`` instead of ``forward``)."""
    if (hasattr(obj, "forward") or hasattr(obj, "forward_ranks")) and not inspect.isclass(obj):
        return obj
    if not callable(obj):
        raise TargetLoadError(f"{name or obj!r} is not a target: it has no forward() and is not callable")
    if inspect.isclass(obj) or _required_positional(obj) == 0:
        try:
            made = obj()
        except Exception as error:
            raise TargetLoadError(f"constructing target {name or obj!r} failed: {error!r}") from error
        if not hasattr(made, "forward") and not hasattr(made, "forward_ranks"):
            raise TargetLoadError(f"{name or obj!r}() returned {type(made).__name__}, which has no forward()")
        return made
    return FunctionTarget(obj)


def load_target(name: str) -> Any:
    """Resolve a built-in name (``reference``) or ``package.module:attr`` to a target object."""
    if name in BUILTIN_TARGETS:
        return BUILTIN_TARGETS[name]()
    if ":" not in name:
        known = ", ".join(sorted(BUILTIN_TARGETS))
        raise TargetLoadError(f"unknown target {name!r}: use a built-in name ({known}) or package.module:attr")
    module_name, _, attr_path = name.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise TargetLoadError(f"cannot import module {module_name!r} for target {name!r}: {error!r}") from error
    obj: Any = module
    for part in attr_path.split("."):
        if not hasattr(obj, part):
            raise TargetLoadError(f"module {module_name!r} has no attribute {attr_path!r}")
        obj = getattr(obj, part)
    return as_target(obj, name)


def describe(target: Any) -> str:
    """A short human name for a target object."""
    kind = type(target)
    if isinstance(target, FunctionTarget):
        function = target.function
        return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', repr(function))}"
    return getattr(target, "name", None) or f"{kind.__module__}.{kind.__qualname__}"


class TargetAdapter:
    """The checks' single way of calling a target: it converts outputs with ``numpy.asarray``, checks
    their shape, and turns every failure into a ``TargetCallError`` that names the call."""

    def __init__(self, target: Any, name: str = "") -> None:
        self.target = target
        self.name = name or describe(target)
        convention = getattr(target, "convention", "inverted")
        if convention not in ("inverted", "classic"):
            raise TargetLoadError(f"target convention must be 'inverted' or 'classic', got {convention!r}")
        self.convention: str = convention
        try:
            self.law: Law = law_named(getattr(target, "law", "bernoulli"), convention)
        except ValueError as error:
            raise TargetLoadError(f"target {self.name}: {error}") from error
        self.has_backward = callable(getattr(target, "forward_backward", None))
        self.elements = 0  # input elements passed to the target so far: what a progress display shows
        self.call_seconds = 0.0  # time spent inside the target: the harness overhead is the rest
        self.calls = 0  # target calls made so far: with call_seconds, a target's per-call overhead
        # calls with a (method, dtype, shape, rate, mode) new to this process, and their time: where a compiling
        # framework (XLA, Inductor) compiles, so that compile time shows apart from run time
        self.first_calls = 0
        self.first_call_seconds = 0.0
        self._signatures: set[tuple[Any, ...]] = set()
        # a worker process reports each call's start and end, so that its parent can time it out and
        # name the call that hung or crashed
        self.on_call: Callable[[str, int], None] | None = None
        self.on_return: Callable[[], None] | None = None
        try:
            self.structure = Structure.of(target)
        except StructureError as error:
            raise TargetLoadError(f"target {self.name}: {error}") from error

    def _call(self, where: str, size: int, function: Callable[..., Any], *args: Any,
              signature: tuple[Any, ...] = (), **kwargs: Any) -> Any:
        self.elements += size
        self.calls += 1
        first = bool(signature) and signature not in self._signatures
        self._signatures.add(signature)
        if self.on_call:
            self.on_call(where, size)
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        except Exception as error:
            raise TargetCallError(f"{where} raised {error!r}") from error
        finally:
            elapsed = time.perf_counter() - began
            self.call_seconds += elapsed
            if first:
                self.first_calls += 1
                self.first_call_seconds += elapsed
            if self.on_return:
                self.on_return()

    @staticmethod
    def _signature(method: str, x: np.ndarray, p: float, training: bool = True) -> tuple[Any, ...]:
        """What a compiling framework keys its programs on (the rate too, for a jitted layer that takes it as a
        constant)."""
        return (method, x.dtype.str, x.dtype.name, x.shape, repr(p), training)

    def _guarded_call(self, where: str, size: int, function: Callable[..., Any], inputs: tuple[np.ndarray, ...],
                      *args: Any, signature: tuple[Any, ...] = (), **kwargs: Any) -> Any:
        """Call with the inputs read-only: the harness reuses its arrays (``unbiased`` keeps one input for every
        rate), so a target that writes into them would corrupt every later call and the sample sizes computed
        from them. Such a write raises at once and becomes an error naming the call; ``contract`` alone calls
        the target with a writable input, to report the write as its finding."""
        arrays = [array for array in inputs if isinstance(array, np.ndarray)]  # 0-d arithmetic gives scalars
        writable = [array.flags.writeable for array in arrays]
        for array in arrays:
            array.flags.writeable = False
        try:
            return self._call(where, size, function, *inputs, *args, signature=signature, **kwargs)
        except TargetCallError as error:
            cause = error.__cause__
            if isinstance(cause, ValueError) and "read-only" in str(cause):
                raise InputWritten(f"{where} wrote into its input, which the verifier passes read-only "
                                   f"({cause!r})") from cause
            raise
        finally:
            for array, flag in zip(arrays, writable, strict=True):
                if flag:
                    array.flags.writeable = True

    def full_input(self, x: np.ndarray) -> np.ndarray:
        """What the target is called with for the battery's array ``x``: ``x`` itself for an elementwise
        target, ``x`` expanded over the broadcast axes for a structured one (see ``structure``)."""
        return self.structure.expand(x) if self.structure else x

    @staticmethod
    def _where(what: str, x: np.ndarray, p: float, seed: int, **extra: Any) -> str:
        details = ", ".join(f"{key}={value}" for key, value in extra.items())
        extra_text = f", {details}" if details else ""
        return f"{what}(dtype={x.dtype.name}, shape={x.shape}, p={p!r}, seed={seed}{extra_text})"

    def _as_output(self, value: Any, x: np.ndarray, where: str) -> np.ndarray:
        try:
            out = np.asarray(value)
        except Exception as error:
            raise TargetCallError(f"{where} returned {type(value).__name__}, not array-like: {error!r}",
                                  raised=False) from error
        if out.shape != x.shape:
            raise TargetCallError(f"{where} returned shape {out.shape}, expected {x.shape}", raised=False)
        if out.dtype.kind not in "fc" and out.dtype.name != "bfloat16":
            raise TargetCallError(f"{where} returned dtype {out.dtype}, not a floating array", raised=False)
        return out

    @staticmethod
    def _no_new_nan(y: np.ndarray, x: np.ndarray, where: str) -> None:
        """Dropout never makes a NaN out of a finite input (a dropped element is 0, a kept one x/q or x)."""
        if y.dtype.kind == "c" or not any_nan(y):  # one pass in the common case
            return
        made = np.isnan(y) & np.isfinite(x)
        if made.any():
            index = tuple(int(i) for i in np.argwhere(made)[0])
            raise WrongValue(f"{where} returned NaN at {int(made.sum())} positions where the input was finite "
                             f"(first at {index}: x = {x[index]!r})")

    def forward_full(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """The target's input and output for the battery's array ``x``, before reading cells back."""
        full = self.full_input(x)
        where = self._where("forward", full, p, seed, training=training)
        value = self._guarded_call(where, full.size, self.target.forward, (full,), p, training=training, seed=seed,
                                   signature=self._signature("forward", full, p, training))
        y = self._as_output(value, full, where)
        self._no_new_nan(y, full, where)
        return full, y

    def raw_forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> Any:
        """The target's own return value for exactly ``x`` (no expansion, no output checks): what the
        contract property inspects. A call that raises still becomes a TargetCallError."""
        where = self._where("forward", x, p, seed, training=training)
        return self._call(where, x.size, self.target.forward, x, p, training=training, seed=seed,
                          signature=self._signature("forward", x, p, training))

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        _, y = self.forward_full(x, p, training=training, seed=seed)
        return self.structure.first(y, x.shape) if self.structure else y

    def forward_backward_full(self, x: np.ndarray, dy: np.ndarray, p: float, *,
                              seed: int) -> tuple[np.ndarray, np.ndarray]:
        """The target's output and gradient for the battery's arrays, before reading cells back."""
        full, full_dy = self.full_input(x), self.full_input(dy)
        where = self._where("forward_backward", full, p, seed)
        value = self._guarded_call(where, full.size, self.target.forward_backward, (full, full_dy), p, seed=seed,
                                   signature=self._signature("forward_backward", full, p))
        try:
            y, dx = value
        except (TypeError, ValueError) as error:
            raise TargetCallError(f"{where} returned {type(value).__name__}, not a pair (y, dx)",
                                  raised=False) from error
        return self._as_output(y, full, where), self._as_output(dx, full, where)

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        y, dx = self.forward_backward_full(x, dy, p, seed=seed)
        if self.structure:
            return self.structure.first(y, x.shape), self.structure.first(dx, x.shape)
        return y, dx
