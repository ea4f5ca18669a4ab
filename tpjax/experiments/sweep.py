"""Grid sweeps over layers, heads and MLPs, one vmapped run of n_seeds seeds per point.

  python -m tpjax.experiments.sweep --config=configs/sweeps/paper.py --task=sort [--shard=i/n] [--out=runs/sweeps]
  python -m tpjax.experiments.sweep --config=configs/sweeps/paper.py --task=sort --aggregate_only

Each point trains with `tpjax.train.train_and_evaluate` into OUT/<sweep>/<task>/<point>/ (e.g. `L2_H4_M2`:
2 layers, 4 heads, 2 MLPs), programs included. A point is finished when its results.json exists (written
last, atomically): a re-run of the same command skips finished points, resumes a killed one from its latest
checkpoint and runs the rest. `--shard=i/n` takes points i, i+n, ... of the grid's fixed order, so n
processes (or machines) with the same --out split the grid between them. `--task` may list several tasks
(`--task=sort,reverse`); their points are sharded together. Every run ends by writing each task's summary
(CSV, markdown table, heatmap; see tpjax.experiments.aggregate) from all points finished so far.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import time

import ml_collections
from absl import app, flags, logging
from ml_collections import config_flags

from tpjax import config as config_lib
from tpjax.experiments import aggregate, grid

_CONFIG = config_flags.DEFINE_config_file("config", None, "A configs/sweeps/<name>.py file.", lock_config=True)
_TASK = flags.DEFINE_string("task", None, "Task, or comma-separated tasks, each with a <task_configs>/<task>.py.")
_SHARD = flags.DEFINE_string("shard", "0/1", "i/n: run points i, i+n, i+2n, ... of the grid (0 <= i < n).")
_OUT = flags.DEFINE_string("out", "runs/sweeps", "Points are written to OUT/<sweep name>/<task>/<point>/.")
_AGGREGATE_ONLY = flags.DEFINE_bool("aggregate_only", False, "Train nothing; only rewrite the summaries.")
_TASK_CONFIGS = flags.DEFINE_string(
    "task_configs", grid.DEFAULT_TASK_CONFIGS, "Folder of the task configs; a point starts from <task>.py there."
)


@dataclasses.dataclass(frozen=True)
class Plan:
    """A checked sweep: the whole grid, this shard's share of it, and every point's config."""

    sweep: ml_collections.ConfigDict
    tasks: list[str]
    points: list[grid.Point]
    mine: list[grid.Point]
    configs: dict[grid.Point, ml_collections.ConfigDict]
    shard: tuple[int, int]
    out: str

    def workdir(self, point: grid.Point) -> str:
        return grid.point_dir(self.out, self.sweep, point)


def make_plan(
    sweep: ml_collections.ConfigDict, task_spec: str, shard_spec: str, out: str,
    task_configs: str = grid.DEFAULT_TASK_CONFIGS,
) -> Plan:
    """Checks everything that can be checked before training; raises grid.SweepError with one line."""
    grid.check_sweep(sweep)
    index, count = grid.parse_shard(shard_spec)
    task_names = grid.parse_tasks(task_spec, task_configs)
    points = grid.points(sweep, task_names)
    configs = grid.point_configs(sweep, points, task_configs)
    return Plan(sweep, task_names, points, grid.shard(points, index, count), configs, (index, count), out)


def finished(plan: Plan, point: grid.Point) -> bool:
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


def _point_error(point: grid.Point, e: Exception) -> grid.SweepError:
    return grid.SweepError(f"point {point.task}/{point.name}: {str(e).replace('--workdir', '--out')}")


def run(plan: Plan) -> list[grid.Point]:
    """Trains this shard's unfinished points in order; returns the points whose training diverged."""
    import jax

    from tpjax import train

    index, count = plan.shard
    logging.info(
        "sweep %s, shard %d/%d: %d of %d points, tasks %s, into %s",
        plan.sweep.name, index, count, len(plan.mine), len(plan.points), ",".join(plan.tasks),
        os.path.join(plan.out, plan.sweep.name),
    )
    failed = []
    for k, point in enumerate(plan.mine, 1):
        c, workdir = plan.configs[point], plan.workdir(point)
        label = f"[{k}/{len(plan.mine)}] {point.task}/{point.name}"
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
    return failed


def write_summaries(plan: Plan) -> None:
    """Each task's summary from every point of the grid finished so far (by any shard).

    A finished point trained under another config (other overrides on the same --out) is an error, not a row.
    """
    for point in plan.points:
        finished(plan, point)
    for task in plan.tasks:
        task_points = [p for p in plan.points if p.task == task]
        task_dir = os.path.join(plan.out, plan.sweep.name, task)
        rows = aggregate.write_task_summary(task_dir, plan.sweep.name, task_points)
        logging.info(
            "%s: %d of %d points finished; summary.csv, summary.md, heatmap.png in %s",
            task, sum(row.done for row in rows), len(rows), task_dir,
        )


def _parse_flags(argv: list[str]) -> list[str]:
    """absl's parser, with a bad flag or --config override reported in one line instead of a traceback."""
    try:
        return flags.FLAGS(argv)
    except (AttributeError, KeyError) as e:  # ml_collections: an override names no field of the config
        match, hint = re.search(r"'(\w+)", str(e)), re.search(r'Did you mean "(\w+)"', str(e))
        field = match[1] if match else str(e)
        given = [a.split("=")[0] for a in argv if a.startswith("--config.") and field in a.split("=")[0].split(".")]
        hint = f" (did you mean {hint[1]!r}?)" if hint else ""
        sys.exit(f"error: {given[0] if given else field}: the sweep config has no field {field!r}{hint}")
    except Exception as e:  # noqa: BLE001 - flag parsing can raise anything the config file raises
        sys.exit("error: " + " ".join(str(e).split()))


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        sys.exit(f"error: unexpected arguments {argv[1:]}")
    if not isinstance(_CONFIG.value, ml_collections.ConfigDict):  # no --config, or a file that failed to load
        path = flags.FLAGS["config"].config_filename if _CONFIG.value is not None else None
        sys.exit(f"error: --config must name a sweep config file such as configs/sweeps/paper.py, got {path!r}")
    try:
        plan = make_plan(_CONFIG.value, _TASK.value, _SHARD.value, _OUT.value, _TASK_CONFIGS.value)
        failed = [] if _AGGREGATE_ONLY.value else run(plan)
        write_summaries(plan)
    except grid.SweepError as e:
        sys.exit(f"error: {e}")
    if failed:
        names = ", ".join(f"{p.task}/{p.name}" for p in failed)
        sys.exit(f"error: training diverged (non-finite loss) at {len(failed)} point(s): {names}")


if __name__ == "__main__":
    app.run(main, flags_parser=_parse_flags)
