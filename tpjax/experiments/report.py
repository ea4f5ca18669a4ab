"""The generated tables of docs/results.md, from finished runs:

  python -m tpjax.experiments.report [--runs=runs/paper] [--sweeps=runs/sweeps] [--addition=runs/addition]
      [--write=FILE]

(defaults: runs/paper/<task> as launch/jobs/ trains the paper configs, runs/sweeps the sweeps' --out);
docs/results.md is regenerated from the kept runs with `--runs=docs/runs/paper --sweeps=docs/runs/sweeps
--addition=docs/runs/addition --write=docs/results.md`.

Five blocks: `paper` (each task at its paper config, `RUNS/<task>/results.json` and, when present, the
standard baseline `RUNS/<task>-standard/results.json`), `grid` (the paper grid's best point per task, from
`SWEEPS/paper/<task>/<point>/results.json`), `length_gen` (`SWEEPS/length_gen/<task>/n<n>/results.json`),
`addition` (every run folder under ADDITION, its answer format read from its config.json) and
`addition_grid` (the paper grid's best point for addition and addition_hints, with exact match), each
beside the paper's and the blog's figures (DESIGN section 3). Without --write the blocks are printed;
with it, the file's text between `<!-- report:NAME -->` and `<!-- /report:NAME -->` is replaced and the prose
around it is left alone. Runs that are missing are listed as such, never filled in.
"""

from __future__ import annotations

import itertools
import json
import os
import sys

import numpy as np
from absl import app, flags

from tpjax import cli
from tpjax.experiments import aggregate, grid, length_gen, runner
from tpjax.experiments.aggregate import load_json
from tpjax.experiments.markdown_blocks import ReportError, markers, write


def define_flags() -> None:
    """The command line's flags, defined only when the module runs as a script: importing it defines none,
    so that the tpjax command-line modules, several of which share flag names, import into one process."""
    global _RUNS, _SWEEPS, _ADDITION, _WRITE
    _RUNS = flags.DEFINE_string(
        "runs", "runs/paper", "Folder holding <task>/results.json and <task>-standard/results.json."
    )
    _SWEEPS = flags.DEFINE_string(
        "sweeps", "runs/sweeps", "Folder holding paper/<task>/<point>/ and length_gen/<task>/n<n>/ (the sweeps' --out)."
    )
    _ADDITION = flags.DEFINE_string(
        "addition", "runs/addition",
        "Folder holding one folder per addition or addition_hints run (config.json, results.json).",
    )
    _WRITE = flags.DEFINE_string(
        "write", None,
        "Markdown file whose generated blocks to replace in place (e.g. docs/results.md); default: print.",
    )


# Paper Table 1 (best config: layers/heads/MLPs, test accuracy) and the blog's reproduction at that config.
REFERENCE = {
    "reverse": ("3/8/2", 99.79, 99.89),
    "hist": ("1/4/2", 100.00, 99.99),
    "double_hist": ("3/4/2", 98.40, 99.67),
    "sort": ("3/8/4", 99.83, 100.00),
    "most_freq": ("3/8/4", 75.69, 82.39),
    "dyck1": ("3/8/2", 99.30, 99.65),
    "dyck2": ("3/4/4", 99.09, 99.22),
}

# The blog's best point of its wider grid (layers 1-4, heads 2-16, MLPs 2-8) and its test accuracy.
BLOG_WIDE_GRID = {
    "reverse": ("4/16/2", 99.99),
    "hist": ("1/2/2", 100.00),
    "double_hist": ("2/8/8", 99.99),
    "sort": ("1/8/4", 100.00),
    "most_freq": ("4/16/8", 83.14),
    "dyck1": ("3/16/8", 99.94),
    "dyck2": ("4/4/4", 99.64),
}

# The blog's test token accuracy at its best grid point (its answer formats differ from ours: docs/results.md).
BLOG_ADDITION = {"addition": 93.24, "addition_hints": 92.00}
BLOG_ADDITION_POINT = {"addition": "3/4/8", "addition_hints": "3/16/8"}

BLOCKS = ("paper", "grid", "length_gen", "addition", "addition_grid")
PAPER_SWEEP = os.path.join(grid.DEFAULT_TASK_CONFIGS, "sweeps", "paper.py")
LENGTH_GEN_SWEEP = os.path.join(grid.DEFAULT_TASK_CONFIGS, "sweeps", "length_gen.py")


def _label(kind: str) -> str:
    return "CPU" if kind == "cpu" else kind.replace("NVIDIA ", "")


def where(results: dict) -> str:
    """The device a run trained on (results.json's `device`; runs written before it was recorded ran on CPU), or,
    for a run resumed on another kind of device, each kind in turn ("H200 then CPU"): its wall time is then
    the sum over both and must not be credited to the last one alone."""
    device = results.get("device") or {"kind": "cpu"}
    kinds = [_label(m["kind"]) for m in results.get("trained_on") or () if m.get("kind")]
    turns = [kind for kind, _ in itertools.groupby(kinds)]  # consecutive runs on one kind count once
    return " then ".join(turns) if len(turns) > 1 else _label(device["kind"])


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def wall_by_device(runs: list[dict]) -> str:
    """Summed wall time per device kind ("CPU 42 min + H100 80GB HBM3 5 min"): CPU and GPU hours do not add up."""
    totals: dict[str, float] = {}
    for results in runs:
        totals[where(results)] = totals.get(where(results), 0.0) + results["wall_seconds"]
    return " + ".join(f"{kind} {_duration(seconds)}" for kind, seconds in totals.items())


def paper_table(runs: str) -> str:
    """Markdown: best-val seed's test accuracy and mean ± std over seeds, beside the paper and the blog."""
    lines = [
        "| task | L/H/M | paper | blog | tpjax best-val seed | tpjax mean ± std (seeds) | standard Transformer | wall time (where) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for task, (shape, paper, blog) in REFERENCE.items():
        ours = load_json(os.path.join(runs, task, "results.json"))
        std = load_json(os.path.join(runs, f"{task}-standard", "results.json"))
        if ours is None:
            lines.append(f"| {task} | {shape} | {paper:.2f} | {blog:.2f} | not run | | | |")
            continue
        test = 100 * np.asarray(ours["test_acc"])
        if std:
            baseline = f"{100 * std['best_test_acc']:.2f} ({where(std)})"
        else:
            baseline = _baseline_pieces(runs, task) or _stopped_baseline(runs, task)
        lines.append(
            f"| {task} | {shape} | {paper:.2f} | {blog:.2f} | **{100 * ours['best_test_acc']:.2f}** | "
            f"{test.mean():.2f} ± {test.std():.2f} ({len(test)}) | {baseline} | {ours['wall_seconds']:.0f} s ({where(ours)}) |"
        )
    return "\n".join(lines)


def _baseline_pieces(runs: str, task: str) -> str | None:
    """Finished pieces of a baseline not merged yet (`<task>-standard-pieces/<a>-<b>/`, launch/pieces.sh):
    the best-validation seed over the seeds they hold (the first of equals) and its test accuracy, marked with
    those seeds; None where no piece has finished."""
    folder = os.path.join(runs, f"{task}-standard-pieces")
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    pieces = [r for r in (load_json(os.path.join(folder, name, "results.json")) for name in names) if r]
    if not pieces:
        return None
    seeds = sorted((s, r["val_acc"][i], r["test_acc"][i]) for r in pieces for i, s in enumerate(r["seeds"]))
    best = max(seeds, key=lambda row: row[1])
    ids = [s for s, _, _ in seeds]
    span = f"{ids[0]}-{ids[-1]}" if ids == list(range(ids[0], ids[-1] + 1)) else ", ".join(map(str, ids))
    return f"{100 * best[2]:.2f} (seeds {span} only, {' + '.join(sorted({where(r) for r in pieces}))})"


def _stopped_baseline(runs: str, task: str) -> str:
    """A baseline stopped before its last epoch (`<task>-standard-partial/`: config.json and metrics.jsonl, no
    results.json) shows its best-validation seed's test accuracy at its last complete evaluation, marked so.

    Lines that do not parse are skipped, as a resumed run skips them (records.truncate_metrics): a killed run
    can leave a torn last line. An evaluation counts only with val and test rows for every seed."""
    folder = os.path.join(runs, f"{task}-standard-partial")
    config_path, path = os.path.join(folder, "config.json"), os.path.join(folder, "metrics.jsonl")
    config = load_json(config_path)
    if config is None or not os.path.isfile(path):
        return "not run"
    try:
        n_epochs, seeds = config["n_epochs"], list(range(config["seed"], config["seed"] + config["n_seeds"]))
    except (KeyError, TypeError) as e:
        raise ReportError(f"{config_path} lacks a run's n_epochs, seed or n_seeds ({e})") from None
    acc = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                row = json.loads(line)
                acc[(row["epoch"], row["split"], row["seed"])] = float(row["acc"])
            except (ValueError, KeyError, TypeError):
                continue
    epochs = {e for e, _, _ in acc}
    complete = [e for e in epochs if all((e, split, s) in acc for split in ("val", "test") for s in seeds)]
    if not complete:
        return "not run"
    last = max(complete)
    best = max(seeds, key=lambda s: acc[(last, "val", s)])  # the first of equals, as results.json's best_seed
    return f"{100 * acc[(last, 'test', best)]:.2f} (last evaluated at epoch {last} of {n_epochs})"


def _grid_best(plan: runner.Plan, sweeps: str, task: str) -> tuple[str, aggregate.Row | None, list[dict]]:
    """A task's paper-grid points: "k of n" run, the best point by validation (None if none ran) and the
    results of those run. A finished point trained under another config is a SweepError, as in `sweep`."""
    points = [p for p in plan.points if p.task == task]
    for point in points:
        runner.finished(plan, point)
    rows = aggregate.collect(os.path.join(sweeps, plan.sweep.name, task), points)
    done = [row.results for row in rows if row.done]
    return f"{len(done)} of {len(rows)}", aggregate.best_row(rows), done


def grid_table(sweeps: str) -> str:
    """Markdown: per task, the paper grid's best point by validation (over the points finished) beside the paper's
    choice and the blog's. A finished point trained under other settings than the sweep config's is a SweepError
    (as in `sweep`), not a row."""
    plan = runner.make_grid_plan(grid.load_config_file(PAPER_SWEEP), ",".join(REFERENCE), "0/1", sweeps)
    lines = [
        "| task | points run | tpjax best point (L/H/M) | its best-val seed | its mean ± std (seeds) | wall time, all points | "
        "paper (L/H/M) | blog at the paper's point | blog's wider grid (L/H/M) |",
        "|---|---:|---|---:|---:|---|---:|---:|---:|",
    ]
    for task, (shape, paper, blog) in REFERENCE.items():
        run, best, done = _grid_best(plan, sweeps, task)
        wide_shape, wide = BLOG_WIDE_GRID[task]
        reference = f"{paper:.2f} ({shape}) | {blog:.2f} | {wide:.2f} ({wide_shape})"
        if best is None:
            lines.append(f"| {task} | {run} | not run | | | | {reference} |")
            continue
        s, p = best.stats(), best.point
        lines.append(
            f"| {task} | {run} | {p.n_layers}/{p.n_heads}/{p.n_mlps} | "
            f"**{100 * s['best_test_acc']:.2f}** | {100 * s['mean_test_acc']:.2f} ± {100 * s['std_test_acc']:.2f} "
            f"({s['n_seeds']}) | {wall_by_device(done)} | {reference} |"
        )
    return "\n".join(lines)


def length_gen_table(sweeps: str) -> str:
    """Markdown: train / test token accuracy (mean over seeds, %; test ± std) per task and training length n,
    for the lengths of configs/sweeps/length_gen.py; a finished point trained under other settings is a SweepError."""
    plan = length_gen.make_plan(grid.load_config_file(LENGTH_GEN_SWEEP), ",".join(REFERENCE), "0/1", sweeps)
    lengths = sorted({p.n for p in plan.points})
    lines = [
        "| task | " + " | ".join(f"n = {n}: train / test" for n in lengths) + " | wall time, all n |",
        "|---|" + "---:|" * len(lengths) + "---|",
    ]
    rows = length_gen.collect(plan)
    for task in REFERENCE:
        cells, done = [], []
        for point, results in rows:
            if point.task != task:
                continue
            if results is None:
                cells.append("not run")
                continue
            s = length_gen.stats(results)
            cells.append(f"{s['train_mean']:.2f} / {s['test_mean']:.2f} ± {s['test_std']:.2f}")
            done.append(results)
        lines.append(f"| {task} | " + " | ".join(cells) + f" | {wall_by_device(done)} |")
    return "\n".join(lines)


def answer_format(config: dict) -> str:
    """How a run's config writes the answer, in words (data.reversed, data.sum_label, model.embed_gumbel)."""
    data, model = config.get("data", {}), config.get("model", {})
    order = "least significant first" if data.get("reversed") else "most significant first"
    if config["task"] == "addition_hints":
        text = f"letter + digit pairs, {order}"
    elif data.get("sum_label"):
        text = "the sum as one label"
    else:
        text = f"digits, {order}"
    return text + (", Gumbel-sampled one-hot embedding" if model.get("embed_gumbel") else "")


def _shape(model: dict) -> str:
    return (f"{model['n_layers']} layers, {model['n_heads_cat']}+{model['n_heads_num']} heads, "
            f"{model['n_mlps_cat']}+{model['n_mlps_num']} MLPs")


def _best_and_mean_exact(results: dict) -> tuple[str, str]:
    """Exact match (%) of the best-val seed and mean ± std over seeds, or "not measured" for older runs."""
    exact = results.get("test_exact")
    if exact is None:
        return "not measured", "not measured"
    exact = 100 * np.asarray(exact)
    best = results["seeds"].index(results["best_seed"])
    return f"{exact[best]:.2f}", f"{exact.mean():.2f} ± {exact.std():.2f}"


def addition_table(addition: str) -> str:
    """Markdown: every addition run under `addition` (its folders in name order): token accuracy and whole-answer
    exact match on the test split, best-val seed and mean ± std over seeds, beside the blog's figure where the
    answer is written in the blog's order. A run folder without results.json is listed as not finished, a task
    without a run as not run; a folder of another task or model kind is an error."""
    lines = [
        "| run | task | answer format | config | best-val seed: token acc | its exact match | "
        "mean ± std token acc (seeds) | mean ± std exact match | blog | wall time (where) |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    names = sorted(os.listdir(addition)) if os.path.isdir(addition) else []
    tasks_run = set()
    for name in (n for n in names if os.path.isdir(os.path.join(addition, n))):
        folder = os.path.join(addition, name)
        config = load_json(os.path.join(folder, "config.json"))
        results = load_json(os.path.join(folder, "results.json"))
        if config is None:
            if results is None:
                continue  # not a run folder
            raise ReportError(f"{folder} holds results.json but no config.json")
        task, kind = config.get("task"), config.get("model", {}).get("kind", "program")
        if task not in BLOG_ADDITION:
            raise ReportError(f"{folder} holds a {task} run, not addition or addition_hints")
        if kind != "program":
            raise ReportError(f"{folder} holds a {kind} model; the addition table lists Transformer Programs")
        tasks_run.add(task)
        described = f"| {name} | {task} | {answer_format(config)} | {_shape(config['model'])} |"
        if results is None:
            lines.append(f"{described} not finished | | | | | |")
            continue
        best = results["seeds"].index(results["best_seed"])
        test = 100 * np.asarray(results["test_acc"])
        best_exact, mean_exact = _best_and_mean_exact(results)
        blog = "" if config.get("data", {}).get("reversed") else f"{BLOG_ADDITION[task]:.2f}"
        lines.append(
            f"{described} **{test[best]:.2f}** | {best_exact} | {test.mean():.2f} ± {test.std():.2f} ({len(test)}) | "
            f"{mean_exact} | {blog} | {results['wall_seconds']:.0f} s ({where(results)}) |"
        )
    for task, blog in BLOG_ADDITION.items():
        if task not in tasks_run:
            lines.append(f"| | {task} | | | not run | | | | {blog:.2f} | |")
    return "\n".join(lines)


def addition_grid_table(sweeps: str) -> str:
    """Markdown: addition and addition_hints over the paper grid (a subset of the blog's wider grid): the best
    point by validation over the points finished, its best-val seed's token accuracy and exact match and their
    means, beside the blog's best point. A point trained under other settings is a SweepError, as in `sweep`."""
    plan = runner.make_grid_plan(grid.load_config_file(PAPER_SWEEP), ",".join(BLOG_ADDITION), "0/1", sweeps)
    lines = [
        "| task | points run | tpjax best point (L/H/M) | its best-val seed: token acc | its exact match | "
        "mean ± std token acc (seeds) | mean ± std exact match | wall time, all points | blog's grid (L/H/M) |",
        "|---|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for task, blog in BLOG_ADDITION.items():
        run, best, done = _grid_best(plan, sweeps, task)
        reference = f"{blog:.2f} ({BLOG_ADDITION_POINT[task]})"
        if best is None:
            lines.append(f"| {task} | {run} | not run | | | | | | {reference} |")
            continue
        s, p = best.stats(), best.point
        best_exact, mean_exact = _best_and_mean_exact(best.results)
        lines.append(
            f"| {task} | {run} | {p.n_layers}/{p.n_heads}/{p.n_mlps} | "
            f"**{100 * s['best_test_acc']:.2f}** | {best_exact} | {100 * s['mean_test_acc']:.2f} ± "
            f"{100 * s['std_test_acc']:.2f} ({s['n_seeds']}) | {mean_exact} | {wall_by_device(done)} | {reference} |"
        )
    return "\n".join(lines)


def blocks(runs: str, sweeps: str, addition: str) -> dict[str, str]:
    """Every generated table, by block name."""
    return {
        "paper": paper_table(runs), "grid": grid_table(sweeps), "length_gen": length_gen_table(sweeps),
        "addition": addition_table(addition), "addition_grid": addition_grid_table(sweeps),
    }


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        sys.exit(f"error: unexpected arguments {argv[1:]}")
    for name, holder in (("runs", _RUNS), ("sweeps", _SWEEPS), ("addition", _ADDITION)):
        if not os.path.isdir(holder.value):  # a mistyped folder would otherwise report every row as "not run"
            sys.exit(f"error: --{name}={holder.value} is not a folder (to report its rows as not run, give an "
                     f"empty folder)")
    try:
        generated = blocks(_RUNS.value, _SWEEPS.value, _ADDITION.value)
        if _WRITE.value is not None:
            write(_WRITE.value, generated)
    except (ReportError, grid.SweepError) as e:
        sys.exit(f"error: {e}")
    if _WRITE.value is None:
        for name in BLOCKS:
            print(f"{markers(name)[0]}\n{generated[name]}\n{markers(name)[1]}\n")
    else:
        print(f"updated the {', '.join(BLOCKS)} tables of {_WRITE.value}")


if __name__ == "__main__":
    define_flags()
    app.run(main, flags_parser=cli.flags_parser())
