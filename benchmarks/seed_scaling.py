"""Per-seed training cost as n_seeds grows, and as (fake CPU) devices grow: markdown tables.

  python benchmarks/seed_scaling.py [--config=configs/sort.py] [--seeds=1,10,100,1000] [--devices=1,2,4,8]
      [--device_seeds=16] [--epochs=1] [--config.seed_chunk=K]

The n_seeds table times `--epochs` steady epochs after a compiling one on this process's devices, with
the peak resident memory of the process so far. Each row of the devices table runs in a subprocess with
XLA_FLAGS=--xla_force_host_platform_device_count=D (a JAX process's device count is fixed at start) and
times `--device_seeds` seeds sharded over D devices as tpjax.train.loop does it. Fake CPU devices share the
same cores, so that table measures the overhead of sharding, not a speed-up.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import optax
from absl import app, flags

from tpjax import cli, tasks
from tpjax.model.build import build_model
from tpjax.train import sharding, step
from tpjax.train.loop import vmapped_seeds

_CONFIG = cli.define_config_file("configs/sort.py", "Task config to time.")
_SEEDS = flags.DEFINE_list("seeds", ["1", "10", "100", "1000"], "Values of n_seeds for the first table.")
_DEVICES = flags.DEFINE_list("devices", ["1", "2", "4", "8"], "Fake device counts for the second table.")
_DEVICE_SEEDS = flags.DEFINE_integer("device_seeds", 16, "n_seeds of every row of the devices table.")
_EPOCHS = flags.DEFINE_integer("epochs", 1, "Timed epochs per row (after the compiling one).")
_ROW = flags.DEFINE_integer("row", 0, "Internal: time n_seeds=ROW on all devices and print one JSON line.")


def time_row(c, dataset, model, n_seeds: int, n_epochs: int) -> dict:
    """Seconds per epoch and per seed-epoch of n_seeds seeds sharded over this process's devices."""
    train = dataset.splits["train"]
    n_batches = -(-train.inputs.shape[0] // c.batch_size)
    tx = optax.adam(c.lr)
    schedule = lambda s: step.tau_at(s, c.n_epochs * n_batches, c.gumbel.tau_start, c.gumbel.tau_end)  # noqa: E731
    seeds = vmapped_seeds(list(range(n_seeds)))
    placement = sharding.seed_sharding(len(seeds))
    states = placement.place(step.init_states(seeds, model, tx, jnp.asarray(train.inputs[:2])))
    epoch_fn = step.make_epoch_fn(
        model.apply, tx, schedule, c.batch_size, placement, c.seed_chunk, step.compiler_options(model)
    )
    x, y = placement.replicate((train.inputs, train.targets))
    t0 = time.perf_counter()
    states, loss = epoch_fn(states, x, y, jnp.int32(0))
    jax.block_until_ready(loss)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for epoch in range(1, n_epochs + 1):
        states, loss = epoch_fn(states, x, y, jnp.int32(epoch))
    jax.block_until_ready(loss)
    per_epoch = (time.perf_counter() - t0) / n_epochs
    return {
        "n_seeds": n_seeds, "devices": placement.mesh.size, "rows": placement.padded, "epoch_s": per_epoch,
        "seed_epoch_s": per_epoch / n_seeds, "step_ms": 1000 * per_epoch / n_batches,
        "compile_s": max(first - per_epoch, 0.0), "max_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    }


def _device_row(n_devices: int, n_seeds: int) -> dict:
    env = {**os.environ, "XLA_FLAGS": f"--xla_force_host_platform_device_count={n_devices}", "JAX_PLATFORMS": "cpu"}
    args = [a for a in sys.argv[1:] if not a.startswith(("--row", "--seeds", "--devices"))]
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), *args, f"--row={n_seeds}"], env=env, capture_output=True, text=True
    )
    if proc.returncode:
        sys.exit(f"error: the {n_devices}-device row failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _print_row(r: dict) -> None:
    print(f"| {r['n_seeds']} | {r['devices']} | {r['rows']} | {r['epoch_s']:.2f} | {1000 * r['seed_epoch_s']:.1f} | "
          f"{r['step_ms']:.1f} | {r['compile_s']:.1f} | {r['max_rss_gib']:.2f} |", flush=True)


def main(argv):
    del argv
    c = cli.config_value(_CONFIG)
    dataset = tasks.make_dataset(c)
    model = build_model(c, dataset)
    if _ROW.value:
        print(json.dumps(time_row(c, dataset, model, _ROW.value, _EPOCHS.value)))
        return
    n_train = dataset.splits["train"].inputs.shape[0]
    print(f"# {c.task}: {c.model.n_layers} layers, {c.model.n_heads_cat}+{c.model.n_heads_num} heads, "
          f"{c.model.n_mlps_cat}+{c.model.n_mlps_num} MLPs, {n_train} train examples, batch {c.batch_size}; "
          f"{os.cpu_count()} CPUs ({platform.machine()}), {jax.device_count()} x {jax.devices()[0].device_kind}, "
          f"jax {jax.__version__}; {_EPOCHS.value} timed epoch(s) per row; seed_chunk {c.seed_chunk or 'off'}")
    header = "| n_seeds | devices | rows | s / epoch | ms / seed-epoch | ms / step | compile s | max RSS GiB |"
    rule = "|---:|---:|---:|---:|---:|---:|---:|---:|"
    print(header + "\n" + rule)
    for n in (int(s) for s in _SEEDS.value if s):
        _print_row(time_row(c, dataset, model, n, _EPOCHS.value))
    if _DEVICES.value:
        print(f"\n{_DEVICE_SEEDS.value} seeds over fake CPU devices (one subprocess per row):\n\n{header}\n{rule}")
        for d in (int(s) for s in _DEVICES.value if s):
            _print_row(_device_row(d, _DEVICE_SEEDS.value))


if __name__ == "__main__":
    app.run(main, flags_parser=cli.flags_parser())
