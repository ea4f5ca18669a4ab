"""The seed axis spread over this process's devices: a 1-D mesh named `seeds`, padded to fit it.

Seeds never talk to each other (tpjax.train.step), so sharding their leading axis needs no collective:
every device trains its own rows on replicated data. A run uses as many devices as get at least two rows
each, none of them padding only (XLA compiles a local batch of one differently, see loop.vmapped_seeds), and
pads the rows up to a multiple of that count with copies of the last real row. A device computes only its
real rows (at least two, `local_rows`) and copies its last result into its padding rows, which are never
reported and never checkpointed.

Each device runs the plain single-device program on its rows (`per_device`), not one program partitioned
by XLA (`jit` with shardings or `shard_map`): the SPMD partitioner rewrites the arithmetic enough to change
the last bits of a seed's numbers, and a sharded run must give exactly the single-device results. The price
is one compilation per device (done in parallel threads).

On XLA:CPU (jax 0.10.2) the device count of the process is not always neutral: with all of YNNPACK's fusions
on, a process of 3 or more CPU devices trained the sort config's seeds to other last bits (up to the seventeenth
session). Transformer Programs now compile with only YNNPACK's dot fusions (tpjax.train.step.compiler_options),
and 1, 2 and 3 devices give them bitwise the same parameters and numbers (3: at four paper configs,
tests/train/test_sharding.py; 8 devices: the tiny config). The standard model trains to the same parameters on
3 devices, but some of its evaluation losses differ in float32's last bit there; on 1 and 2 devices it agrees
bitwise (its sort config), and `python -m tpjax.main` uses 2.

Only local devices are used, so that in a multi-process sweep each process trains its own points.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

AXIS = "seeds"


@dataclasses.dataclass(frozen=True)
class SeedSharding:
    """Where the `rows` stacked seeds live: `padded` rows over `mesh`, row i < rows is seed row i."""

    mesh: Mesh
    rows: int
    padded: int

    @property
    def seeds(self) -> NamedSharding:
        return NamedSharding(self.mesh, P(AXIS))

    @property
    def replicated(self) -> NamedSharding:
        return NamedSharding(self.mesh, P())

    def place(self, tree):
        """Pads a tree of `rows`-row arrays (host or device, PRNG keys too) and shards its leading axis."""
        return jax.device_put(jax.tree.map(lambda x: pad_rows(x, self.padded), tree), self.seeds)

    def replicate(self, tree):
        """Data every seed reads: a full copy on every device."""
        return jax.device_put(tree, self.replicated)


def devices_used(rows: int, n_devices: int) -> int:
    """As many devices as hold at least two rows each, and none that would hold padding only.

    With k = ceil(rows / d) rows a device, ceil(rows / k) devices hold every real row (9 rows on 4 devices:
    3 devices of 3, not 4 devices of 3 with a fourth all padding).
    """
    d = max(1, min(n_devices, rows // 2))
    per_device = -(-rows // d)
    return -(-rows // per_device)


def padded_rows(rows: int, n_devices: int) -> int:
    """The stacked rows trained on n_devices (from devices_used): the next multiple of n_devices."""
    return n_devices * -(-rows // n_devices)


def pad_rows(x, padded: int):
    """x with its last row repeated up to `padded` rows."""
    extra = padded - x.shape[0]
    if extra == 0:
        return x
    if extra < 0:
        raise ValueError(f"cannot pad {x.shape[0]} rows down to {padded}")
    xp = np if isinstance(x, np.ndarray) else jnp
    return xp.concatenate([x, xp.repeat(x[-1:], extra, axis=0)])


def seed_sharding(rows: int) -> SeedSharding:
    """The sharding of `rows` stacked seeds over this process's devices (as many as have work)."""
    devices = jax.local_devices()
    devices = devices[: devices_used(rows, len(devices))]
    mesh = Mesh(np.array(devices), (AXIS,))
    return SeedSharding(mesh, rows, padded_rows(rows, len(devices)))


def local_rows(rows: int, padded: int, n_devices: int) -> list[int]:
    """The rows each device computes: its real rows, and never fewer than two (see devices_used).

    Device i holds padded rows [i*k, (i+1)*k), k = padded / n_devices; computing its padding rows would
    only repeat the last real seed's work, so a device runs just its real rows (at least two, since XLA
    compiles a batch of one differently) and its padding rows are filled with copies of the last one.
    """
    k = padded // n_devices
    return [max(min(rows - i * k, k), min(2, k)) for i in range(n_devices)]


def per_device(fn_S: Callable, mesh: Mesh | None, rows: int | None = None) -> Callable:
    """fn_S(stacked, *shared) run by every device of `mesh` on its own rows of `stacked`.

    `stacked` is sharded over the mesh's one axis (as `SeedSharding.place` leaves it), the other arguments
    are replicated or host values; every output has a leading row axis and comes back sharded the same way.
    With `rows` (the real rows, the rest being padding), devices skip their padding rows (local_rows), so
    5 seeds on 2 devices cost 3 + 2 rows of work, not 3 + 3.
    """
    if mesh is None or mesh.size == 1:
        return fn_S
    devices = list(mesh.devices.flat)
    sharded = NamedSharding(mesh, P(AXIS))

    def local(x, device):
        if isinstance(x, jax.Array):
            for shard in x.addressable_shards:
                if shard.device == device:
                    return shard.data
        return jax.device_put(x, device)

    def run(stacked, *shared):
        k = jax.tree.leaves(stacked)[0].shape[0] // len(devices)
        used = [k] * len(devices) if rows is None else local_rows(rows, k * len(devices), len(devices))
        # Every device's arguments first: a call that donates its rows deletes part of the global array.
        args = [
            jax.tree.map(lambda x: local(x, device), (stacked, *shared)) for device in devices
        ]
        args = [(jax.tree.map(lambda x: x[:n], a[0]) if n < k else a[0], *a[1:]) for a, n in zip(args, used)]
        with concurrent.futures.ThreadPoolExecutor(len(devices)) as pool:
            outs = list(pool.map(lambda a: fn_S(*a), args))
        outs = [jax.tree.map(lambda x: pad_rows(x, k), out) for out in outs]
        return jax.tree.map(
            lambda *parts: jax.make_array_from_single_device_arrays(
                (sum(p.shape[0] for p in parts),) + parts[0].shape[1:], sharded, list(parts)
            ),
            *outs,
        )

    return run


def per_device_of(fn_S: Callable, placement: SeedSharding | None) -> Callable:
    """per_device over a placement's mesh and real rows; fn_S itself without one."""
    return fn_S if placement is None else per_device(fn_S, placement.mesh, placement.rows)
