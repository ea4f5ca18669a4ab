"""Tables for docs/results.md from finished runs: `python -m tpjax.experiments.report --runs=DIR`.

Each task's row comes from `DIR/<task>/results.json` (the Transformer Program at its paper config) and,
when present, `DIR/<task>-standard/results.json` (the standard baseline), next to the paper's and the
blog's figures (DESIGN section 3). Runs that are missing are listed as such, never filled in.
"""

from __future__ import annotations

import os

import numpy as np
from absl import app, flags

from tpjax.experiments.aggregate import load_json

_RUNS = flags.DEFINE_string("runs", "runs/paper", "Folder holding <task>/results.json and <task>-standard/results.json.")

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


def where(results: dict) -> str:
    """The device a run finished on (results.json's `device`; runs written before it was recorded ran on CPU)."""
    device = results.get("device") or {"kind": "cpu"}
    return "CPU" if device["kind"] == "cpu" else device["kind"].replace("NVIDIA ", "")


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


def main(argv):
    del argv
    print(paper_table(_RUNS.value))


if __name__ == "__main__":
    app.run(main)
