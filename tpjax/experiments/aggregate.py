"""A sweep's summary per task, from whatever points have finished: CSV, markdown table and heatmap.

Written into OUT/<sweep>/<task>/ as `summary.csv`, `summary.md` and `heatmap.png` by
`python -m tpjax.experiments.sweep ... --aggregate_only` (and at the end of every sweep run). A point
counts as finished when its results.json exists; every other point is listed as missing, never filled in.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os

import numpy as np

from tpjax.atomic_files import write_bytes_atomic, write_text_atomic
from tpjax.experiments.grid import Point, SweepError

CSV_FIELDS = (
    "task", "point", "n_layers", "n_heads", "n_mlps", "status", "n_seeds", "best_seed", "best_val_acc",
    "best_test_acc", "mean_test_acc", "std_test_acc", "min_program_agreement", "wall_seconds",
)


@dataclasses.dataclass(frozen=True)
class Row:
    """One point's figures, accuracies in [0, 1]; `results` is None for a point that has not finished."""

    point: Point
    results: dict | None

    @property
    def done(self) -> bool:
        return self.results is not None

    def stats(self) -> dict:
        if self.results is None:
            return {}
        r = self.results
        test = np.asarray(r["test_acc"], dtype=float)
        best = r["seeds"].index(r["best_seed"])
        agreement = [a for a in r.get("program_agreement") or [] if a is not None]
        return {
            "n_seeds": len(r["seeds"]),
            "best_seed": r["best_seed"],
            "best_val_acc": r["val_acc"][best],
            "best_test_acc": r["test_acc"][best],
            "mean_test_acc": float(test.mean()),
            "std_test_acc": float(test.std()),
            "min_program_agreement": min(agreement) if agreement else None,
            "wall_seconds": r["wall_seconds"],
        }


def load_json(path: str) -> dict | None:
    """A JSON file's contents, or None where it does not exist (a run that has not finished); SweepError
    where it cannot be read (results.json is written atomically, so that is damage, not a run in progress)."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise SweepError(f"cannot read {path}: {e}") from None


def collect(task_dir: str, task_points: list[Point]) -> list[Row]:
    """Each point's results.json under task_dir/<point>/, or None where it is missing."""
    return [Row(point, load_json(os.path.join(task_dir, point.name, "results.json"))) for point in task_points]


def best_row(rows: list[Row]) -> Row | None:
    """The point whose best seed has the highest validation accuracy (the first such in grid order)."""
    done = [row for row in rows if row.done]
    return max(done, key=lambda row: row.stats()["best_val_acc"]) if done else None


def csv_text(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        p = row.point
        values = {"task": p.task, "point": p.name, "n_layers": p.n_layers, "n_heads": p.n_heads, "n_mlps": p.n_mlps}
        values["status"] = "done" if row.done else "missing"
        values.update({k: "" if v is None else v for k, v in row.stats().items()})
        writer.writerow(values)
    return buffer.getvalue()


def markdown(rows: list[Row], title: str) -> str:
    """A table of every point; the best point (by validation) in bold; missing points say so."""
    best = best_row(rows)
    n_done = sum(row.done for row in rows)
    lines = [
        f"# {title}",
        "",
        f"{n_done} of {len(rows)} points finished. Test token accuracy of the snapped model, %. "
        "Bold: the point whose best seed has the highest validation accuracy.",
        "",
        "| point | layers | heads | MLPs | best-val seed's test acc | mean ± std test acc (seeds) | wall time |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        p = row.point
        cells = [p.name, str(p.n_layers), str(p.n_heads), str(p.n_mlps)]
        if not row.done:
            cells += ["missing", "", ""]
        else:
            s = row.stats()
            acc = f"{100 * s['best_test_acc']:.2f}"
            cells += [
                f"**{acc}**" if row is best else acc,
                f"{100 * s['mean_test_acc']:.2f} ± {100 * s['std_test_acc']:.2f} ({s['n_seeds']})",
                f"{s['wall_seconds']:.0f} s",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def heatmap(rows: list[Row], path: str, title: str) -> None:
    """Panels per MLP count, layers x heads, colour = best-val seed's test accuracy; missing cells grey."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    layers = sorted({row.point.n_layers for row in rows})
    heads = sorted({row.point.n_heads for row in rows})
    mlps = sorted({row.point.n_mlps for row in rows})
    acc_MLH = np.full((len(mlps), len(layers), len(heads)), np.nan)  # M: MLP count, L: layers, H: heads
    for row in rows:
        if row.done:
            p = row.point
            acc_MLH[mlps.index(p.n_mlps), layers.index(p.n_layers), heads.index(p.n_heads)] = (
                100 * row.stats()["best_test_acc"]
            )
    finished = acc_MLH[~np.isnan(acc_MLH)]
    vmin = float(finished.min()) if finished.size else 0.0
    vmin = min(vmin, 99.0)  # keep a visible range when every point sits at 100
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="lightgrey")

    fig, axes = plt.subplots(
        1, len(mlps), figsize=(max(5.0, 1.6 + 0.8 * len(heads) * len(mlps)), 1.6 + 0.6 * len(layers)), squeeze=False,
        constrained_layout=True,
    )
    for k, (ax, m) in enumerate(zip(axes[0], mlps)):
        image = ax.imshow(
            np.ma.masked_invalid(acc_MLH[k]), cmap=cmap, vmin=vmin, vmax=100.0, origin="lower", aspect="auto"
        )
        ax.set_xticks(range(len(heads)), [str(h) for h in heads])
        ax.set_yticks(range(len(layers)), [str(l) for l in layers])
        ax.set_xlabel("heads")
        if k == 0:
            ax.set_ylabel("layers")
        ax.set_title(f"{m} MLPs")
        for i in range(len(layers)):
            for j in range(len(heads)):
                value = acc_MLH[k, i, j]
                if np.isnan(value):
                    ax.text(j, i, "missing", ha="center", va="center", fontsize=7, color="black")
                else:
                    light = (value - vmin) / (100.0 - vmin) > 0.6  # viridis turns yellow at the top
                    color = "black" if light else "white"
                    ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=7, color=color)
    fig.colorbar(image, ax=axes[0].tolist(), label="test acc (%)")
    fig.suptitle(title, fontsize=10)
    save_png_atomic(fig, path)
    plt.close(fig)


def save_png_atomic(fig, path: str) -> None:
    """The figure as a PNG, by write_bytes_atomic: shards summarising side by side never show a torn image."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    write_bytes_atomic(path, buffer.getvalue())


def write_task_summary(task_dir: str, sweep_name: str, task_points: list[Point]) -> list[Row]:
    """summary.csv, summary.md and heatmap.png in task_dir, from the points finished so far."""
    os.makedirs(task_dir, exist_ok=True)
    rows = collect(task_dir, task_points)
    title = f"Sweep {sweep_name}, task {task_points[0].task}"
    write_text_atomic(os.path.join(task_dir, "summary.csv"), csv_text(rows))
    write_text_atomic(os.path.join(task_dir, "summary.md"), markdown(rows, title))
    heatmap(rows, os.path.join(task_dir, "heatmap.png"), f"{title}: test acc of the best-val seed (%)")
    return rows
