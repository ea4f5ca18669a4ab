"""Length generalisation: train on body lengths 1..n, test on n+1..n+10 (Dyck: n and 2n), for several n.

  python -m tpjax.experiments.length_gen [--config=configs/sweeps/length_gen.py] [--task=sort,reverse]
      [--shard=i/k] [--out=runs/sweeps] [--plot_only | --aggregate_only]

Each (task, n) is one vmapped run of the task's `configs/<task>.py` with `data.length_gen = n`, written to
OUT/length_gen/<task>/n<n>/. It is run by the sweep machinery (tpjax.experiments.runner): finished points are
skipped, a killed point resumes from its checkpoint, `--shard=i/k` splits the points between processes. Every
run ends by writing OUT/length_gen/summary.csv, summary.md and length_gen.png (train and test accuracy,
mean ± std over seeds, against n, one panel per task) from the points finished so far; missing points are
listed as missing, never filled in.
"""

from __future__ import annotations

import csv
import io
import os
import sys

import ml_collections
import numpy as np
from absl import app, flags
from ml_collections import config_flags

from tpjax import cli, cpu_devices
from tpjax import config as config_lib
from tpjax.experiments import aggregate, grid, runner

RASP_TASKS = ("reverse", "hist", "double_hist", "sort", "most_freq", "dyck1", "dyck2")


def _check(lg: ml_collections.ConfigDict) -> tuple[int, ...]:
    """The config's lengths, sorted; SweepError for a bad name, length list, seed count or override."""
    if not isinstance(lg.get("name"), str) or not lg.name or "/" in lg.name:
        raise grid.SweepError(f"config.name must be a folder name, got {lg.get('name')!r}")
    lengths = lg.lengths if isinstance(lg.lengths, (tuple, list)) else (lg.lengths,)
    if not lengths or not all(grid.is_positive_int(n) for n in lengths):
        raise grid.SweepError(f"config.lengths must be a non-empty tuple of positive integers, got {lg.lengths!r}")
    if len(set(lengths)) != len(lengths):
        raise grid.SweepError(f"config.lengths repeats a value: {tuple(lengths)}")
    grid.check_n_seeds(lg, name="config")
    for name in grid.SET_BY_LENGTH_GEN:
        node = lg.override
        for part in name.split("."):
            node = node.get(part) if isinstance(node, ml_collections.ConfigDict) else None
        if node is not None:
            raise grid.SweepError(f"config.override.{name} is set by the length-generalisation run itself")
    return tuple(sorted(lengths))


def make_plan(
    lg: ml_collections.ConfigDict, task_spec: str, shard_spec: str, out: str,
    task_configs: str = grid.DEFAULT_TASK_CONFIGS,
) -> runner.Plan:
    """Every point's config, checked as tpjax.main would, before anything trains; SweepError names a bad one."""
    lengths = _check(lg)
    grid.check_out(out)
    index, count = grid.parse_shard(shard_spec)
    task_names = grid.parse_tasks(task_spec, task_configs)
    points = [grid.LengthPoint(task, n) for task in task_names for n in lengths]
    configs = {}
    for task in task_names:
        base = grid.apply_overrides(lg, grid.task_config(task, task_configs))
        for n in lengths:
            c = ml_collections.ConfigDict(base.to_dict())
            c.task, c.n_seeds, c.data.length_gen = task, lg.n_seeds, n
            try:
                grid.check_config(c)
            except config_lib.ConfigError as e:
                raise grid.SweepError(f"point {task}/n{n}: {e}") from None
            c.lock()
            configs[grid.LengthPoint(task, n)] = c
    return runner.Plan(lg, task_names, points, grid.shard(points, index, count), configs, (index, count), out)


def collect(plan: runner.Plan) -> list[tuple[grid.LengthPoint, dict | None]]:
    """Each point with its results.json, or None where it has not finished."""
    for point in plan.points:
        runner.finished(plan, point)  # a point trained under another config is an error, not a row
    return [(p, aggregate.load_json(os.path.join(plan.workdir(p), "results.json"))) for p in plan.points]


def stats(results: dict) -> dict:
    """Train and test token accuracy of a point (%, mean and std over seeds), its best-val seed's test accuracy.
    The std is the population one (ddof 0), as in every table of the project."""
    train, test = (100 * np.asarray(results[f"{s}_acc"], dtype=float) for s in ("train", "test"))
    best = results["seeds"].index(results["best_seed"])
    return {"n_seeds": len(train), "train_mean": train.mean(), "train_std": train.std(), "test_mean": test.mean(),
            "test_std": test.std(), "best_test": test[best], "wall_seconds": results["wall_seconds"]}


CSV_FIELDS = ("task", "n", "status", "n_seeds", "train_mean", "train_std", "test_mean", "test_std", "best_test",
              "wall_seconds")


def summary_csv(rows) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for point, results in rows:
        values = {"task": point.task, "n": point.n, "status": "done" if results else "missing"}
        if results:
            values.update({k: round(v, 4) if isinstance(v, float) else v for k, v in stats(results).items()})
        writer.writerow(values)
    return buffer.getvalue()


def summary_md(rows, name: str) -> str:
    lines = [
        f"# Length generalisation ({name})", "",
        f"{sum(r is not None for _, r in rows)} of {len(rows)} points finished. Token accuracy of the snapped model, "
        "%, mean ± std over seeds (population std); train: lengths 1..n, test: n+1..n+10 (Dyck: n and 2n).", "",
        "| task | n | train | test | best-val seed's test | wall time |", "|---|---:|---:|---:|---:|---:|",
    ]
    for point, results in rows:
        if results is None:
            lines.append(f"| {point.task} | {point.n} | missing | | | |")
            continue
        s = stats(results)
        lines.append(
            f"| {point.task} | {point.n} | {s['train_mean']:.2f} ± {s['train_std']:.2f} | "
            f"{s['test_mean']:.2f} ± {s['test_std']:.2f} ({s['n_seeds']}) | {s['best_test']:.2f} | "
            f"{s['wall_seconds']:.0f} s |"
        )
    return "\n".join(lines) + "\n"


def figure(rows, path: str, name: str) -> None:
    """One panel per task: train and test accuracy (mean ± std over seeds) against n."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    task_names = list(dict.fromkeys(p.task for p, _ in rows))
    cols = min(4, len(task_names))
    n_rows = -(-len(task_names) // cols)
    fig, axes = plt.subplots(n_rows, cols, figsize=(3.2 * cols, 2.6 * n_rows), squeeze=False, sharey=True,
                             constrained_layout=True)
    for ax, task in zip(axes.flat, task_names):
        done = [(p.n, stats(r)) for p, r in rows if p.task == task and r is not None]
        missing = [p.n for p, r in rows if p.task == task and r is None]
        for split, marker in (("train", "o"), ("test", "s")):
            if done:
                ns, figures = zip(*done)
                ax.errorbar(ns, [s[f"{split}_mean"] for s in figures], yerr=[s[f"{split}_std"] for s in figures],
                            marker=marker, capsize=3, label=split)
        for n in missing:
            ax.axvline(n, color="lightgrey", linestyle=":", zorder=0)
        tested = "test 2n" if task.startswith("dyck") else "test n+1..n+10"
        ax.set_title(f"{task} ({tested}" + (f", {len(missing)} missing)" if missing else ")"), fontsize=8)
        ax.set_xticks(sorted({p.n for p, _ in rows}))
        ax.set_xlabel("n (longest training length)")
        ax.set_ylim(0, 101)
    for ax in axes.flat[len(task_names):]:
        ax.axis("off")
    axes[0, 0].set_ylabel("token accuracy (%)")
    labelled = [ax for ax in axes.flat if ax.get_legend_handles_labels()[0]]
    if labelled:  # no legend while no point has finished (matplotlib would warn about an empty one)
        labelled[0].legend(fontsize=8)
    fig.suptitle(f"Length generalisation ({name}): mean ± std over seeds", fontsize=10)
    aggregate.save_png_atomic(fig, path)
    plt.close(fig)


def write_summary(plan: runner.Plan) -> list:
    """summary.csv, summary.md and length_gen.png in OUT/<name>/ from the points finished so far."""
    rows = collect(plan)
    root = os.path.join(plan.out, plan.sweep.name)
    os.makedirs(root, exist_ok=True)
    aggregate.write_text_atomic(os.path.join(root, "summary.csv"), summary_csv(rows))
    aggregate.write_text_atomic(os.path.join(root, "summary.md"), summary_md(rows, plan.sweep.name))
    figure(rows, os.path.join(root, "length_gen.png"), plan.sweep.name)
    return rows


def define_flags() -> dict:
    """The CLI's flags; defined only when run as a script, so that importing this module (tests, the sweep CLI
    in the same process) defines no flag twice. `--aggregate_only` is `--plot_only` under the sweep CLI's name."""
    holders = {
        "config": config_flags.DEFINE_config_file(
            "config", os.path.join(grid.DEFAULT_TASK_CONFIGS, "sweeps", "length_gen.py"),
            "A length-generalisation config file.", lock_config=True),
        "task": flags.DEFINE_string("task", ",".join(RASP_TASKS), "Task, or comma-separated tasks."),
        "shard": flags.DEFINE_string("shard", "0/1", "i/k: run points i, i+k, i+2k, ... (0 <= i < k)."),
        "out": flags.DEFINE_string("out", "runs/sweeps", "Points are written to OUT/<name>/<task>/n<n>/."),
        "plot_only": flags.DEFINE_bool("plot_only", False, "Train nothing; only rewrite the summary and figure."),
        "task_configs": flags.DEFINE_string(
            "task_configs", grid.DEFAULT_TASK_CONFIGS, "Folder of the task configs; a point starts from <task>.py."),
        "cpu_devices": cpu_devices.define_flag(),
    }
    flags.DEFINE_alias("aggregate_only", "plot_only")
    return holders


_FLAGS: dict = {}


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        sys.exit(f"error: unexpected arguments {argv[1:]}")
    f = {name: holder.value for name, holder in _FLAGS.items() if name != "config"}
    f["config"] = cli.config_value(_FLAGS["config"])
    if not isinstance(f["config"], ml_collections.ConfigDict):
        sys.exit("error: --config must name a config file such as configs/sweeps/length_gen.py")
    cpu_devices.use_cpu_devices(f["cpu_devices"])
    try:
        plan = make_plan(f["config"], f["task"], f["shard"], f["out"], f["task_configs"])
        failed = [] if f["plot_only"] else runner.run(plan)
        rows = write_summary(plan) if runner.is_reporter() else None  # one process writes the summary
    except grid.SweepError as e:
        sys.exit(f"error: {e}")
    if rows is not None:
        print(f"{sum(r is not None for _, r in rows)} of {len(rows)} points finished; summary in "
              f"{os.path.join(plan.out, plan.sweep.name)}")
    if failed:
        sys.exit(f"error: training diverged at {', '.join(f'{p.task}/{p.name}' for p in failed)}")


if __name__ == "__main__":
    _FLAGS.update(cli.define_flags(define_flags, what="length-generalisation config"))
    app.run(main, flags_parser=cli.flags_parser(what="length-generalisation config"))
