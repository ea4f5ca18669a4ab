"""Running the points of a sweep: the plan, what counts as finished, the training loop over a shard.

Shared by the grid sweep (tpjax.experiments.sweep) and the length-generalisation runs
(tpjax.experiments.length_gen). A point is anything with `task` and `name`; its workdir is
OUT/<sweep name>/<task>/<point name>/. Nothing here defines flags, so both CLIs can import it.

Launched as several JAX processes (tpjax.distributed: TPJAX_COORDINATOR etc.), process i of n trains
points i, i+n, ... of this shard's points on its own devices, and only process 0 writes the summaries
(`is_reporter`), after every process has finished its points.
"""

from __future__ import annotations

import dataclasses
import os
import time

import ml_collections
from absl import logging

from tpjax import config as config_lib
from tpjax import distributed
from tpjax.experiments import grid


@dataclasses.dataclass(frozen=True)
class Plan:
    """A checked sweep: the whole grid, this shard's share of it, and every point's config."""

    sweep: ml_collections.ConfigDict
    tasks: list[str]
    points: list
    mine: list
    configs: dict
    shard: tuple[int, int]
    out: str

    def workdir(self, point) -> str:
        return grid.point_dir(self.out, self.sweep, point)


def make_grid_plan(
    sweep: ml_collections.ConfigDict, task_spec: str, shard_spec: str, out: str,
    task_configs: str = grid.DEFAULT_TASK_CONFIGS,
) -> Plan:
    """A grid sweep checked as far as it can be before training; raises grid.SweepError with one line."""
    grid.check_sweep(sweep)
    grid.check_out(out)
    index, count = grid.parse_shard(shard_spec)
    task_names = grid.parse_tasks(task_spec, task_configs)
    points = grid.points(sweep, task_names)
    configs = grid.point_configs(sweep, points, task_configs)
    return Plan(sweep, task_names, points, grid.shard(points, index, count), configs, (index, count), out)


def finished(plan: Plan, point) -> bool:
    """Whether the point has its results.json; SweepError if it was trained under another config."""
    from tpjax.train import CheckpointError, checkpoint

    workdir = plan.workdir(point)
    if not os.path.exists(os.path.join(workdir, "results.json")):
        return False
    try:
        checkpoint.check_workdir_config(os.path.join(workdir, "config.json"), plan.configs[point])
    except CheckpointError as e:
        raise _point_error(point, e) from None
    return True


def _point_error(point, e: Exception) -> grid.SweepError:
    return grid.SweepError(f"point {point.task}/{point.name}: {str(e).replace('--workdir', '--out')}")


def _initialize() -> tuple[int, int]:
    try:
        return distributed.initialize()
    except distributed.DistributedError as e:
        raise grid.SweepError(str(e)) from None


def is_reporter() -> bool:
    """Whether this process writes the sweep's summaries: process 0 (or a process alone)."""
    return _initialize()[0] == 0


def run(plan: Plan) -> list:
    """Trains this shard's (and process's) unfinished points in order; returns the points whose training
    diverged, on every process. With several processes it returns only when all have finished."""
    import jax

    from tpjax import train

    index, count = plan.shard
    process, n_processes = _initialize()
    mine = distributed.share(plan.mine, process, n_processes)
    logging.info(
        "sweep %s, shard %d/%d, process %d/%d: %d of %d points, tasks %s, into %s",
        plan.sweep.name, index, count, process, n_processes, len(mine), len(plan.points), ",".join(plan.tasks),
        os.path.join(plan.out, plan.sweep.name),
    )
    failed = []
    for k, point in enumerate(mine, 1):
        c, workdir = plan.configs[point], plan.workdir(point)
        label = f"[{k}/{len(mine)}] {point.task}/{point.name}"
        try:
            if finished(plan, point):
                logging.info("%s: skipped, finished earlier", label)
                continue
            logging.info("%s: running %d seeds in %s", label, c.n_seeds, workdir)
            start = time.time()
            results = train.train_and_evaluate(c, workdir)
        except FloatingPointError as e:
            logging.error("%s: failed: %s", label, e)
            failed.append(point)
            continue
        except (config_lib.ConfigError, train.CheckpointError) as e:
            raise _point_error(point, e) from None
        logging.info(
            "%s: done in %.0f s; best-val seed's test acc %.2f%%", label, time.time() - start,
            100 * results["best_test_acc"],
        )
        jax.clear_caches()  # the next point has other shapes: nothing compiled for this one is reused
    if n_processes == 1:
        return failed
    names = distributed.gather_json(f"failed/{plan.sweep.name}/{index}", [[p.task, p.name] for p in failed])
    everyone = {tuple(name) for part in names for name in part}
    return [p for p in plan.mine if (p.task, p.name) in everyone]
