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

import os
import sys

import ml_collections
from absl import app, flags, logging
from ml_collections import config_flags

from tpjax import cli, cpu_devices
from tpjax.experiments import aggregate, grid
from tpjax.experiments.runner import Plan, finished, is_reporter, run
from tpjax.experiments.runner import make_grid_plan as make_plan

__all__ = ["Plan", "finished", "make_plan", "run", "write_summaries"]


def define_flags() -> None:
    """The command line's flags, defined only when the module runs as a script: importing it defines none,
    so that the tpjax command-line modules, several of which share flag names, import into one process."""
    global _CONFIG, _TASK, _SHARD, _OUT, _AGGREGATE_ONLY, _TASK_CONFIGS, _CPU_DEVICES
    _CONFIG = config_flags.DEFINE_config_file("config", None, "A configs/sweeps/<name>.py file.", lock_config=True)
    _TASK = flags.DEFINE_string("task", None, "Task, or comma-separated tasks, each with a <task_configs>/<task>.py.")
    _SHARD = flags.DEFINE_string("shard", "0/1", "i/n: run points i, i+n, i+2n, ... of the grid (0 <= i < n).")
    _OUT = flags.DEFINE_string("out", "runs/sweeps", "Points are written to OUT/<sweep name>/<task>/<point>/.")
    _AGGREGATE_ONLY = flags.DEFINE_bool("aggregate_only", False, "Train nothing; only rewrite the summaries.")
    _TASK_CONFIGS = flags.DEFINE_string(
        "task_configs", grid.DEFAULT_TASK_CONFIGS, "Folder of the task configs; a point starts from <task>.py there."
    )
    _CPU_DEVICES = cpu_devices.define_flag()


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


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        sys.exit(f"error: unexpected arguments {argv[1:]}")
    sweep = cli.config_value(_CONFIG)
    if not isinstance(sweep, ml_collections.ConfigDict):
        sys.exit("error: --config must name a sweep config file such as configs/sweeps/paper.py")
    cpu_devices.use_cpu_devices(_CPU_DEVICES.value)
    try:
        plan = make_plan(sweep, _TASK.value, _SHARD.value, _OUT.value, _TASK_CONFIGS.value)
        failed = [] if _AGGREGATE_ONLY.value else run(plan)
        if is_reporter():  # one process of a multi-process sweep writes the summaries
            write_summaries(plan)
    except grid.SweepError as e:
        sys.exit(f"error: {e}")
    if failed:
        names = ", ".join(f"{p.task}/{p.name}" for p in failed)
        sys.exit(f"error: training diverged (non-finite loss) at {len(failed)} point(s): {names}")


if __name__ == "__main__":
    define_flags()
    app.run(main, flags_parser=cli.flags_parser(what="sweep config"))
