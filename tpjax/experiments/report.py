"""The generated tables of docs/results.md, from finished runs:

  python -m tpjax.experiments.report [--runs=docs/runs/paper] [--sweeps=docs/runs/sweeps] [--write=docs/results.md]

Three blocks: `paper` (each task at its paper config, `RUNS/<task>/results.json` and, when present, the
standard baseline `RUNS/<task>-standard/results.json`), `grid` (the paper grid's best point per task, from
`SWEEPS/paper/<task>/<point>/results.json`) and `length_gen` (`SWEEPS/length_gen/<task>/n<n>/results.json`),
each beside the paper's and the blog's figures (DESIGN section 3). Without --write the blocks are printed;
with it, the file's text between `<!-- report:NAME -->` and `<!-- /report:NAME -->` is replaced and the prose
around it is left alone. Runs that are missing are listed as such, never filled in.
"""

from __future__ import annotations

import os
import re
import sys

import numpy as np
from absl import app, flags

from tpjax.experiments import aggregate, grid
from tpjax.experiments.aggregate import load_json

_RUNS = flags.DEFINE_string("runs", "runs/paper", "Folder holding <task>/results.json and <task>-standard/results.json.")
_SWEEPS = flags.DEFINE_string(
    "sweeps", "runs/sweeps", "Folder holding paper/<task>/<point>/ and length_gen/<task>/n<n>/ (the sweeps' --out)."
)
_WRITE = flags.DEFINE_string(
    "write", None, "Markdown file whose generated blocks to replace in place (e.g. docs/results.md); default: print."
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

BLOCKS = ("paper", "grid", "length_gen")
PAPER_SWEEP = os.path.join(grid.DEFAULT_TASK_CONFIGS, "sweeps", "paper.py")


class ReportError(ValueError):
    """A file that cannot take the generated blocks; its message is one line meant for the user."""


def where(results: dict) -> str:
    """The device a run finished on (results.json's `device`; runs written before it was recorded ran on CPU)."""
    device = results.get("device") or {"kind": "cpu"}
    return "CPU" if device["kind"] == "cpu" else device["kind"].replace("NVIDIA ", "")


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


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
        baseline = f"{100 * std['best_test_acc']:.2f} ({where(std)})" if std else "not run"
        lines.append(
            f"| {task} | {shape} | {paper:.2f} | {blog:.2f} | **{100 * ours['best_test_acc']:.2f}** | "
            f"{test.mean():.2f} ± {test.std():.2f} ({len(test)}) | {baseline} | {ours['wall_seconds']:.0f} s ({where(ours)}) |"
        )
    return "\n".join(lines)


def grid_table(sweeps: str) -> str:
    """Markdown: per task, the paper grid's best point by validation (over the points finished) beside the
    paper's choice and the blog's; `points run` says how much of the grid ran, the wall time is summed over them."""
    sweep = grid.load_config_file(PAPER_SWEEP)
    lines = [
        "| task | points run | tpjax best point (L/H/M) | its best-val seed | its mean ± std (seeds) | wall time, all points | "
        "paper (L/H/M) | blog at the paper's point | blog's wider grid (L/H/M) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for task, (shape, paper, blog) in REFERENCE.items():
        points = grid.points(sweep, [task])
        rows = aggregate.collect(os.path.join(sweeps, sweep.name, task), points)
        done = [row for row in rows if row.done]
        wide_shape, wide = BLOG_WIDE_GRID[task]
        reference = f"{paper:.2f} ({shape}) | {blog:.2f} | {wide:.2f} ({wide_shape})"
        if not done:
            lines.append(f"| {task} | 0 of {len(rows)} | not run | | | | {reference} |")
            continue
        best = aggregate.best_row(rows)
        s, p = best.stats(), best.point
        wall = sum(row.stats()["wall_seconds"] for row in done)
        lines.append(
            f"| {task} | {len(done)} of {len(rows)} | {p.n_layers}/{p.n_heads}/{p.n_mlps} | "
            f"**{100 * s['best_test_acc']:.2f}** | {100 * s['mean_test_acc']:.2f} ± {100 * s['std_test_acc']:.2f} "
            f"({s['n_seeds']}) | {_hours(wall)} | {reference} |"
        )
    return "\n".join(lines)


def length_gen_table(sweeps: str) -> str:
    """Markdown: train / test token accuracy (mean over seeds, %) per task and training length n."""
    lg = grid.length_gen_config()
    lengths = tuple(sorted(lg.lengths))
    lines = [
        "| task | " + " | ".join(f"n = {n}: train / test" for n in lengths) + " | wall time, all n |",
        "|---|" + "---:|" * (len(lengths) + 1),
    ]
    for task in REFERENCE:
        cells, wall = [], 0.0
        for n in lengths:
            results = load_json(os.path.join(sweeps, lg.name, task, grid.LengthPoint(task, n).name, "results.json"))
            if results is None:
                cells.append("not run")
                continue
            train, test = (100 * np.asarray(results[f"{split}_acc"], dtype=float) for split in ("train", "test"))
            cells.append(f"{train.mean():.2f} / {test.mean():.2f} ± {test.std():.2f}")
            wall += results["wall_seconds"]
        lines.append(f"| {task} | " + " | ".join(cells) + f" | {_hours(wall) if wall else ''} |")
    return "\n".join(lines)


def blocks(runs: str, sweeps: str) -> dict[str, str]:
    return {"paper": paper_table(runs), "grid": grid_table(sweeps), "length_gen": length_gen_table(sweeps)}


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- report:{name} -->", f"<!-- /report:{name} -->"


def fill(text: str, generated: dict[str, str], source: str = "the file") -> str:
    """`text` with every block's content replaced; ReportError where a block's markers are missing or repeated."""
    for name, table in generated.items():
        begin, end = _markers(name)
        pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), re.S)
        found = len(pattern.findall(text))
        if found != 1 or text.count(begin) != 1 or text.count(end) != 1:
            problem = "has no" if found == 0 else "has more than one"
            raise ReportError(f"{source} {problem} block '{begin}' ... '{end}' (each on its own line) for the {name} table")
        text = pattern.sub(lambda _: f"{begin}\n{table}\n{end}", text)
    return text


def write(path: str, generated: dict[str, str]) -> None:
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise ReportError(f"cannot read {path}: {e.strerror}") from None
    aggregate.write_text_atomic(path, fill(text, generated, path))


def main(argv):
    if len(argv) > 1:
        sys.exit(f"error: unexpected arguments {argv[1:]}")
    generated = blocks(_RUNS.value, _SWEEPS.value)
    if _WRITE.value is None:
        for name in BLOCKS:
            print(f"{_markers(name)[0]}\n{generated[name]}\n{_markers(name)[1]}\n")
        return
    try:
        write(_WRITE.value, generated)
    except ReportError as e:
        sys.exit(f"error: {e}")
    print(f"updated the {', '.join(BLOCKS)} tables of {_WRITE.value}")


if __name__ == "__main__":
    app.run(main)
