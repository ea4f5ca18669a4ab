"""From a config to trained, evaluated seeds: the run that `python -m tpjax.main` starts.

Writes DIR/config.json, DIR/metrics.jsonl (one line per evaluation, seed and split) and, last and
atomically, DIR/results.json (DESIGN section 5).
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from absl import logging
from tqdm import tqdm

from tpjax import config as config_lib
from tpjax import tasks
from tpjax.model.build import build_model
from tpjax.train import evaluate, records, step

SPLITS = ("train", "val", "test")


def eval_epochs(c: ml_collections.ConfigDict) -> set[int]:
    """Epochs (1-based, after training that epoch) at which all seeds are evaluated; always the last."""
    return set(range(c.eval_every, c.n_epochs + 1, c.eval_every)) | {c.n_epochs}


def vmapped_seeds(seeds: list[int]) -> list[int]:
    """The seeds actually stacked: a lone seed gets a companion that is trained and then dropped.

    XLA removes a batch axis of size one and picks other kernels, whose rounding differs; with at
    least two seeds a seed's numbers are bitwise the same whatever else runs beside it.
    """
    return seeds if len(seeds) > 1 else seeds + [seeds[0] + 1]


def train_and_evaluate(c: ml_collections.ConfigDict, workdir: str) -> dict:
    """Trains `c.n_seeds` seeds side by side, evaluates them snapped, writes the run's files."""
    start = time.time()
    config_lib.validate(c)
    dataset = tasks.make_dataset(c)
    model = build_model(c, dataset)
    run = records.RunFiles(workdir)
    run.write_config(c, extra={"n_ctx": dataset.n_ctx, "spec": getattr(model, "spec", None)})
    seeds = list(range(c.seed, c.seed + c.n_seeds))
    train = dataset.splits["train"]
    n_batches = -(-train.inputs.shape[0] // c.batch_size)
    total_steps = c.n_epochs * n_batches
    logging.info(
        "task %s: %s, n_ctx %d, %d seeds x %d epochs x %d steps",
        c.task, {k: v.inputs.shape[0] for k, v in dataset.splits.items()}, dataset.n_ctx, len(seeds), c.n_epochs, n_batches,
    )

    tx = optax.adam(c.lr)
    schedule = lambda s: step.tau_at(s, total_steps, c.gumbel.tau_start, c.gumbel.tau_end)  # noqa: E731
    states = step.init_states(vmapped_seeds(seeds), model, tx, jnp.asarray(train.inputs[:2]))
    epoch_fn = step.make_epoch_fn(model.apply, tx, schedule, c.batch_size)
    inputs, targets = jnp.asarray(train.inputs), jnp.asarray(train.targets)
    evals = eval_epochs(c)
    chunk = evaluate.chunk_size(*(dataset.splits[split].inputs for split in SPLITS))
    last: dict[str, dict[str, np.ndarray]] = {}
    postfix: dict[str, str] = {}

    bar = tqdm(range(c.n_epochs), desc=f"{c.task} x{len(seeds)}", unit="epoch", dynamic_ncols=True)
    for epoch in bar:
        states, losses = epoch_fn(states, inputs, targets, jnp.int32(epoch))
        losses = np.asarray(jax.device_get(losses))[: len(seeds)]
        if not np.all(np.isfinite(losses)):
            raise FloatingPointError(f"training loss is not finite at epoch {epoch + 1}: {losses.tolist()}")
        postfix["loss"] = f"{losses.mean():.4f}"
        postfix["tau"] = f"{float(schedule(states.step[0])):.3f}"
        if epoch + 1 in evals:
            snapped = evaluate.snap_seeds(model, states.params)
            last = {
                split: {
                    name: values[: len(seeds)]
                    for name, values in evaluate.evaluate_split(
                        model, snapped, dataset.splits[split].inputs, dataset.splits[split].targets, chunk
                    ).items()
                }
                for split in SPLITS
            }
            run.append_metrics(epoch + 1, seeds, last)
            postfix["best_val_acc"] = f"{last['val']['acc'].max():.4f}"
        bar.set_postfix(postfix)
    bar.close()

    results = records.results_dict(c.task, seeds, last, wall_seconds=time.time() - start)
    run.write_results(results)
    print(records.results_table(results))
    return results
