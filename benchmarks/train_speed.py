"""Training speed at the sort paper config: wall time per epoch and per seed-epoch as n_seeds grows.

  python benchmarks/train_speed.py [--seeds=1,5,20,100] [--epochs=3] [--config=configs/sort.py]

Compile time (first epoch minus a steady epoch) is reported separately; evaluation is not included
(see `--eval` for the cost of one snapped evaluation of all three splits).
"""

from __future__ import annotations

import platform
import time

import jax
import jax.numpy as jnp
import optax
from absl import app, flags

from tpjax import cli, tasks
from tpjax.model.build import build_model
from tpjax.train import evaluate, step
from tpjax.train.loop import vmapped_seeds

_CONFIG = cli.define_config_file("configs/sort.py", "Task config to time.")
_SEEDS = flags.DEFINE_list("seeds", ["1", "5", "20", "100"], "Values of n_seeds to time.")
_EPOCHS = flags.DEFINE_integer("epochs", 3, "Timed epochs per n_seeds (after the compiling one).")
_EVAL = flags.DEFINE_bool("eval", True, "Also time one snapped evaluation of train/val/test.")


def time_seeds(c, dataset, model, n_seeds: int, n_epochs: int, with_eval: bool) -> dict:
    train = dataset.splits["train"]
    n_batches = -(-train.inputs.shape[0] // c.batch_size)
    tx = optax.adam(c.lr)
    total = c.n_epochs * n_batches
    schedule = lambda s: step.tau_at(s, total, c.gumbel.tau_start, c.gumbel.tau_end)  # noqa: E731
    seeds = vmapped_seeds(list(range(n_seeds)))
    states = step.init_states(seeds, model, tx, jnp.asarray(train.inputs[:2]))
    epoch_fn = step.make_epoch_fn(model.apply, tx, schedule, c.batch_size, options=step.compiler_options(model))
    x, y = jnp.asarray(train.inputs), jnp.asarray(train.targets)
    t0 = time.perf_counter()
    states, loss = epoch_fn(states, x, y, jnp.int32(0))
    loss.block_until_ready()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for epoch in range(1, n_epochs + 1):
        states, loss = epoch_fn(states, x, y, jnp.int32(epoch))
    loss.block_until_ready()
    per_epoch = (time.perf_counter() - t0) / n_epochs
    row = {"n_seeds": n_seeds, "epoch_s": per_epoch, "seed_epoch_s": per_epoch / n_seeds, "compile_s": first - per_epoch,
           "step_ms": 1000 * per_epoch / n_batches}
    if with_eval:
        chunk = evaluate.chunk_size(*(dataset.splits[s].inputs for s in tasks.SPLITS))
        for timed in (False, True):
            t0 = time.perf_counter()
            snapped = evaluate.snap_seeds(model, states.params)
            for s in tasks.SPLITS:
                evaluate.evaluate_split(model, snapped, dataset.splits[s].inputs, dataset.splits[s].targets, chunk)
            if timed:
                row["eval_s"] = time.perf_counter() - t0
    return row


def main(argv):
    del argv
    c = cli.config_value(_CONFIG)
    dataset = tasks.make_dataset(c)
    model = build_model(c, dataset)
    n_train = dataset.splits["train"].inputs.shape[0]
    print(f"# {c.task}: {c.model.n_layers} layers, {c.model.n_heads_cat}+{c.model.n_heads_num} heads, "
          f"{c.model.n_mlps_cat}+{c.model.n_mlps_num} MLPs, {n_train} train examples, batch {c.batch_size}")
    print(f"# {platform.processor() or platform.machine()}, {jax.device_count()} x {jax.devices()[0].device_kind}, "
          f"jax {jax.__version__}")
    print("| n_seeds | s / epoch | s / seed-epoch | ms / step | compile s | eval s (3 splits) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in _SEEDS.value):
        r = time_seeds(c, dataset, model, n, _EPOCHS.value, _EVAL.value)
        print(f"| {n} | {r['epoch_s']:.3f} | {r['seed_epoch_s']:.4f} | {r['step_ms']:.1f} | {r['compile_s']:.1f} | "
              f"{r.get('eval_s', float('nan')):.2f} |", flush=True)


if __name__ == "__main__":
    app.run(main, flags_parser=cli.flags_parser())
