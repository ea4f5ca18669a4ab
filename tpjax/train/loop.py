"""From a config to trained, evaluated seeds: the run that `python -m tpjax.main` starts.

Writes DIR/config.json, DIR/metrics.jsonl (one line per evaluation, seed and split), Orbax checkpoints
in DIR/checkpoints/ and, last and atomically, DIR/results.json (DESIGN section 5). Re-running on the same
DIR resumes from the latest checkpoint and ends bitwise where an uninterrupted run would. The seed axis is
sharded over this process's devices (tpjax.train.sharding); the results do not depend on how many there are.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from absl import logging
from tqdm import tqdm

from tpjax import cli
from tpjax import config as config_lib
from tpjax import tasks
from tpjax.model.build import build_model
from tpjax.model.transformer_program import TransformerProgram
from tpjax.program import export
from tpjax.train import checkpoint, evaluate, records, sharding, step



def eval_epochs(c: ml_collections.ConfigDict) -> set[int]:
    """Epochs (1-based, after training that epoch) at which all seeds are evaluated; always the last."""
    return set(range(c.eval_every, c.n_epochs + 1, c.eval_every)) | {c.n_epochs}


def vmapped_seeds(seeds: list[int]) -> list[int]:
    """The seeds actually stacked: a lone seed gets a companion that is trained and then dropped.

    XLA removes a batch axis of size one and picks other kernels, whose rounding differs; with at
    least two seeds a seed's numbers are bitwise the same whatever else runs beside it.
    """
    return seeds if len(seeds) > 1 else seeds + [seeds[0] + 1]


@dataclasses.dataclass(frozen=True, eq=False)
class _Setup:
    """What a run derives from its config before training: all deterministic, so a resume rebuilds it."""

    c: ml_collections.ConfigDict
    dataset: tasks.Dataset
    model: Any
    tx: optax.GradientTransformation
    seeds: list[int]
    sharding: sharding.SeedSharding

    def init_states(self) -> step.TrainState:
        """The unpadded stacked state, as checkpoints hold it (row i is vmapped_seeds(seeds)[i])."""
        example = jnp.asarray(self.dataset.splits["train"].inputs[:2])
        return step.init_states(vmapped_seeds(self.seeds), self.model, self.tx, example)


def train_and_evaluate(c: ml_collections.ConfigDict, workdir: str) -> dict:
    """Trains `c.n_seeds` seeds side by side, evaluates them snapped, writes the run's files.

    On a workdir that already holds a run of the same config it resumes from the latest checkpoint; a
    finished run is only re-read, and results.json written again from its last checkpoint (evaluated again
    if its recorded evaluation predates exact match).
    """
    start = time.time()
    config_lib.validate(c)
    # Data and model before the workdir is made: a config they refuse (data it cannot draw, a d_var or table
    # too small for the data) leaves nothing behind.
    dataset = tasks.make_dataset(c)
    model = build_model(c, dataset)
    blocker = cli.file_in_the_way(workdir)
    if blocker:
        raise checkpoint.CheckpointError(f"--workdir {workdir}: {blocker} is a file, not a folder")
    run = records.RunFiles(workdir)
    checkpoint.check_workdir_config(run.config_path, c)
    seeds = list(range(c.seed, c.seed + c.n_seeds))
    placement = sharding.seed_sharding(len(vmapped_seeds(seeds)))
    setup = _Setup(c, dataset, model, optax.adam(c.lr), seeds, placement)
    ckpts = checkpoint.Checkpoints(workdir, c, setup.seeds)
    try:
        states, progress = _resume(setup, ckpts, run)
        finished_before = progress.epoch >= c.n_epochs
        run.write_config(c, extra={"n_ctx": dataset.n_ctx, "spec": getattr(setup.model, "spec", None)})
        run.truncate_metrics(progress.epoch)
        states, progress = _train(setup, states, progress, ckpts, run, start)
        if any("exact" not in m for m in progress.last.values()):
            progress = _evaluate_again(setup, states, progress)
    finally:
        ckpts.close()

    results = records.results_dict(
        c.task, setup.seeds, progress.last, wall_seconds=progress.wall_seconds, devices_used=setup.sharding.mesh.size
    )
    if finished_before:
        _keep_recorded_device(run, results)
    records.add_trained_on(results, progress.trained_on)
    if isinstance(setup.model, TransformerProgram):
        results.update(_extract(setup, states.params, progress.epoch, workdir))
    run.write_results(results)
    print(records.results_table(results))
    return results


def _resume(setup: _Setup, ckpts: checkpoint.Checkpoints, run: records.RunFiles):
    """The latest checkpoint's state and progress, or a fresh state at epoch 0 (only then is init compiled)."""
    restored = ckpts.restore_latest(jax.eval_shape(setup.init_states))
    if restored is not None:
        logging.info("resuming %s from epoch %d", run.workdir, restored[1].epoch)
        return setup.sharding.place(restored[0]), restored[1]
    if os.path.exists(run.results_path):
        raise checkpoint.CheckpointError(
            f"{run.workdir} holds results.json but no checkpoint to resume from; use a fresh --workdir"
        )
    return setup.sharding.place(setup.init_states()), checkpoint.Progress()


def _train(setup: _Setup, states, progress: checkpoint.Progress, ckpts, run, start: float):
    """Epochs progress.epoch+1 .. n_epochs: train, evaluate every eval_every, checkpoint every checkpoint_every."""
    c, dataset, seeds = setup.c, setup.dataset, setup.seeds
    train = dataset.splits["train"]
    n_batches = -(-train.inputs.shape[0] // c.batch_size)
    logging.info(
        "task %s: %s, n_ctx %d, %d seeds (rows %s on %d device(s)) x %d epochs x %d steps, from epoch %d",
        c.task, {k: v.inputs.shape[0] for k, v in dataset.splits.items()}, dataset.n_ctx, len(seeds),
        "+".join(map(str, sharding.local_rows(setup.sharding.rows, setup.sharding.padded, setup.sharding.mesh.size))),
        setup.sharding.mesh.size, c.n_epochs, n_batches, progress.epoch,
    )
    total_steps = c.n_epochs * n_batches
    schedule = lambda s: step.tau_at(s, total_steps, c.gumbel.tau_start, c.gumbel.tau_end)  # noqa: E731
    epoch_fn = step.make_epoch_fn(
        setup.model.apply, setup.tx, schedule, c.batch_size, setup.sharding, c.seed_chunk,
        step.compiler_options(setup.model),
    )
    inputs, targets = setup.sharding.replicate((train.inputs, train.targets))
    evals = eval_epochs(c)
    last = progress.last
    trained_on = tuple(records.after_training_here(progress.trained_on))
    if progress.epoch and not progress.trained_on and progress.epoch < c.n_epochs:
        logging.warning("%s: its checkpoint predates tpjax recording machines; epochs 1-%d are not in trained_on",
                        run.workdir, progress.epoch)
    postfix = {"best_val_acc": f"{last['val']['acc'].max():.4f}"} if last else {}

    bar = tqdm(
        range(progress.epoch, c.n_epochs), desc=f"{c.task} x{len(seeds)}", unit="epoch", dynamic_ncols=True,
        initial=progress.epoch, total=c.n_epochs,
    )
    for epoch in bar:
        states, losses = epoch_fn(states, inputs, targets, jnp.int32(epoch))
        losses = np.asarray(jax.device_get(losses))[: len(seeds)]
        if not np.all(np.isfinite(losses)):
            raise FloatingPointError(f"training loss is not finite at epoch {epoch + 1}: {losses.tolist()}")
        postfix["loss"] = f"{losses.mean():.4f}"
        if isinstance(setup.model, TransformerProgram):  # the standard baseline has no temperature
            postfix["tau"] = f"{float(schedule(states.step[0])):.3f}"
        if epoch + 1 in evals:
            last = _evaluate(setup, states)
            run.append_metrics(epoch + 1, seeds, last)
            postfix["best_val_acc"] = f"{last['val']['acc'].max():.4f}"
        if (epoch + 1) % c.checkpoint_every == 0 or epoch + 1 == c.n_epochs:
            # wall_seconds counts the work a checkpoint keeps: time lost to a kill after it is not in results.json.
            progress = checkpoint.Progress(epoch + 1, last, progress.wall_seconds + time.time() - start, trained_on)
            start = time.time()
            ckpts.save(states, progress, rows=setup.sharding.rows)
        bar.set_postfix(postfix)
    bar.close()
    return states, progress


def _keep_recorded_device(run: records.RunFiles, results: dict) -> None:
    """A finished run re-read keeps the device its results.json says it finished on, not this machine's
    (none if that file predates the field, which the reports read as CPU); without a readable file, this one."""
    try:
        with open(run.results_path, encoding="utf-8") as f:
            recorded = json.load(f)
    except (OSError, ValueError):
        return
    results.pop("device", None)
    if "device" in recorded:
        results["device"] = recorded["device"]


def _evaluate_again(setup: _Setup, states: step.TrainState, progress: checkpoint.Progress) -> checkpoint.Progress:
    """A finished run whose last evaluation predates exact match, evaluated again from its checkpoint so
    that results.json has every figure (not saved in the checkpoint: a later re-read evaluates again, in
    seconds). The accuracies should come out as recorded: a warning says if not."""
    logging.info("evaluating epoch %d again: its recorded evaluation predates exact match", progress.epoch)
    last = _evaluate(setup, states)
    differs = max(float(np.max(np.abs(last[s]["acc"] - np.asarray(progress.last[s]["acc"])))) for s in last)
    if differs > 0:
        logging.warning(
            "the new evaluation's token accuracy differs from the recorded one by up to %.3g "
            "(trained on another device or JAX version?); results.json takes the new one", differs,
        )
    return dataclasses.replace(progress, last=last)


def _extract(setup: _Setup, params, epoch: int, workdir: str) -> dict:
    """Every seed's program in DIR/programs/seed_<seed>/, and how it agrees with the snapped model."""
    start = time.time()
    # The rows a single-device run holds, in host memory: extraction snaps them again on one device.
    params = jax.tree.map(lambda x: np.asarray(x)[: setup.sharding.rows], params)
    infos = export.export_run(setup.c, setup.dataset, setup.model, params, setup.seeds, workdir, epoch)
    agreement = [infos[s]["agreement"] for s in setup.seeds]
    logging.info("extracted %d programs in %.1f s; agreement %s", len(infos), time.time() - start, agreement)
    return {"program_agreement": agreement}


def _evaluate(setup: _Setup, states: step.TrainState) -> dict[str, dict[str, np.ndarray]]:
    """Loss and token accuracy of every real seed, snapped, on every split."""
    splits = setup.dataset.splits
    chunk = evaluate.chunk_size(*(splits[split].inputs for split in tasks.SPLITS))
    snapped = evaluate.snap_seeds(setup.model, states.params, setup.sharding, setup.c.seed_chunk)
    return {
        split: {
            name: values[: len(setup.seeds)]
            for name, values in evaluate.evaluate_split(
                setup.model, snapped, splits[split].inputs, splits[split].targets, chunk, setup.sharding, setup.c.seed_chunk
            ).items()
        }
        for split in tasks.SPLITS
    }
