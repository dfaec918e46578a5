"""Sharded JAX dropout: one activation of ``world_size`` shards over host devices, ``flax.nnx.Dropout`` under
``jax.jit`` with ``NamedSharding``, each shard a rank of the protocol (contract ``independent``: a sharded
activation's shards must draw independent masks).

Host devices exist only if ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` is set before JAX is imported:
this module sets it to 8 when JAX is not imported yet, and a world size above the devices JAX has raises, naming
the flag. ``jax-sharded`` draws with threefry keys (``jax_threefry_partitionable``, JAX's default since 0.5, makes
the sharded bits equal the unsharded ones: shard-invariance, promised); ``jax-sharded-rbg`` with ``rbg`` keys,
whose shard-invariance JAX does not promise (``shard_invariance`` reports what it sees, as information).
"""

from __future__ import annotations

import os
import sys
from typing import Any, ClassVar

import numpy as np

HOST_DEVICES = 8
if "jax" not in sys.modules and "xla_force_host_platform_device_count" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + f" --xla_force_host_platform_device_count={HOST_DEVICES}").strip()

from . import require  # noqa: E402 - after XLA_FLAGS, which JAX reads once, at import

jax = require("jax", "jax")
nnx = require("flax.nnx", "jax")
flax = require("flax", "jax")
sharding = require("jax.sharding", "jax")


class Sharded:
    """``nnx.Dropout(p)`` on an array sharded over ``world_size`` host devices along its first axis, threefry keys."""

    name = "jax-sharded"
    contract = "independent"
    key_impl = "threefry2x32"
    shard_invariant = True
    versions: ClassVar[dict[str, str]] = {"jax": jax.__version__, "flax": flax.__version__}

    def __init__(self, world_size: int = 4) -> None:
        self.world_size = world_size
        self._compiled: dict[tuple[Any, ...], Any] = {}

    def _mesh(self) -> Any:
        devices = jax.devices()
        if len(devices) < self.world_size:
            raise RuntimeError(f"{self.name} needs {self.world_size} devices, JAX has {len(devices)}: set "
                               f"XLA_FLAGS=--xla_force_host_platform_device_count={self.world_size} before JAX "
                               "is imported")
        return sharding.Mesh(np.array(devices[: self.world_size]), ("ranks",))

    def _step(self, p: float, training: bool, out_sharding: Any) -> Any:
        key = (p, training, out_sharding)
        if key not in self._compiled:
            layer = nnx.Dropout(p)
            self._compiled[key] = jax.jit(lambda x, rng: layer(x, deterministic=not training, rngs=rng),
                                          out_shardings=out_sharding)
        return self._compiled[key]

    def forward_ranks(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> list[np.ndarray]:
        """Every shard holds ``x`` (flattened to 1-D, so that any shape shards along one axis)."""
        flat = np.ascontiguousarray(x).reshape(-1)
        mesh = self._mesh()
        placed = sharding.NamedSharding(mesh, sharding.PartitionSpec("ranks"))
        whole = jax.device_put(np.tile(flat, self.world_size), placed)
        y = self._step(p, training, placed)(whole, jax.random.key(seed, impl=self.key_impl))
        shards = sorted(y.addressable_shards, key=lambda shard: shard.index[0].start or 0)
        return [np.asarray(shard.data).reshape(x.shape) for shard in shards]

    def forward_unsharded(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> list[np.ndarray]:
        """The same global array and key on one device: what shard-invariance compares the shards with."""
        flat = np.ascontiguousarray(x).reshape(-1)
        one = sharding.SingleDeviceSharding(jax.devices()[0])
        y = self._step(p, training, one)(jax.device_put(np.tile(flat, self.world_size), one),
                                         jax.random.key(seed, impl=self.key_impl))
        return [part.reshape(x.shape) for part in np.split(np.asarray(y), self.world_size)]


class ShardedRbg(Sharded):
    """``jax-sharded`` with ``rbg`` keys (XLA's RngBitGenerator): shard-invariance not promised."""

    name = "jax-sharded-rbg"
    key_impl = "rbg"
    shard_invariant = False
