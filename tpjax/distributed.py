"""Multi-process sweeps: join a JAX cluster when asked to, and agree on who does what.

A sweep started on several processes (TPU VM pod hosts, GPU nodes, or processes on one machine) gives
each process its share of the points; each trains on its own local devices, so no array ever spans two
processes. Settings come from the environment, so that every CLI built on tpjax.experiments.runner
takes them without new flags:

  TPJAX_COORDINATOR=host:port TPJAX_NUM_PROCESSES=n TPJAX_PROCESS_ID=i   a cluster given by hand
  TPJAX_COORDINATOR=auto                                                 JAX detects it (Cloud TPU, SLURM)

Without TPJAX_COORDINATOR nothing is initialised and the process is alone (index 0 of 1).
"""

from __future__ import annotations

import json
import os

import jax

_BARRIER_MS = 7 * 24 * 3600 * 1000  # a sweep's points may take days; the barrier waits for the slowest process


class DistributedError(RuntimeError):
    """Bad cluster settings; the message is one line for the user."""


def initialize() -> tuple[int, int]:
    """Joins the cluster named by the TPJAX_* variables (once per process); returns (process index, count)."""
    address = os.environ.get("TPJAX_COORDINATOR")
    if address and not jax.distributed.is_initialized():
        kwargs = {}
        if address != "auto":
            try:
                kwargs = dict(
                    coordinator_address=address, num_processes=int(os.environ["TPJAX_NUM_PROCESSES"]),
                    process_id=int(os.environ["TPJAX_PROCESS_ID"]),
                )
            except (KeyError, ValueError) as e:
                raise DistributedError(
                    f"TPJAX_COORDINATOR={address} needs integer TPJAX_NUM_PROCESSES and TPJAX_PROCESS_ID ({e})"
                ) from None
            if not 0 <= kwargs["process_id"] < kwargs["num_processes"]:
                raise DistributedError(
                    f"TPJAX_PROCESS_ID={kwargs['process_id']} must lie in 0..TPJAX_NUM_PROCESSES-1"
                )
        jax.distributed.initialize(**kwargs)
    return jax.process_index(), jax.process_count()


def share(items: list, index: int, count: int) -> list:
    """Process `index`'s items: index, index+count, ... (the order every process computes alike)."""
    return items[index::count]


def gather_json(name: str, value) -> list:
    """Every process's `value` (JSON), in process order, once all have sent theirs; a barrier for all."""
    index, count = jax.process_index(), jax.process_count()
    if count == 1:
        return [value]
    client = _client()
    client.key_value_set(f"tpjax/{name}/{index}", json.dumps(value))
    return [json.loads(client.blocking_key_value_get(f"tpjax/{name}/{i}", _BARRIER_MS)) for i in range(count)]


def _client():
    # JAX keeps its coordination-service client private; its key-value store is the one channel every
    # process already shares (no collective over devices, which CPU processes may lack).
    from jax._src import distributed as jax_distributed

    return jax_distributed.global_state.client
