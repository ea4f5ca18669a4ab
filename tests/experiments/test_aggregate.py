"""Sweep summaries: every point of the grid is a row, finished or listed as missing; never filled in."""

import csv
import json
import os

import pytest

from tpjax.experiments import aggregate
from tpjax.experiments.grid import Point

POINTS = [Point("sort", l, h, m) for l in (1, 2) for h in (2, 4) for m in (2, 4)]


def _finish(task_dir, point, val, test, wall=12.5):
    os.makedirs(os.path.join(task_dir, point.name))
    seeds = list(range(len(val)))
    results = {
        "task": point.task, "seeds": seeds, "train_acc": test, "val_acc": val, "test_acc": test,
        "best_seed": max(seeds, key=val.__getitem__), "best_test_acc": test[max(seeds, key=val.__getitem__)],
        "program_agreement": [1.0] * len(seeds), "wall_seconds": wall,
    }
    with open(os.path.join(task_dir, point.name, "results.json"), "w") as f:
        json.dump(results, f)


@pytest.fixture
def task_dir(tmp_path):
    d = str(tmp_path / "paper" / "sort")
    _finish(d, POINTS[0], val=[0.5, 0.9], test=[0.6, 0.8])
    _finish(d, POINTS[5], val=[0.95, 0.7], test=[0.75, 1.0], wall=100.0)
    os.makedirs(os.path.join(d, POINTS[3].name))  # started, not finished: still missing
    return d


def test_the_csv_lists_every_point_and_only_finished_ones_have_figures(task_dir):
    aggregate.write_task_summary(task_dir, "paper", POINTS)
    with open(os.path.join(task_dir, "summary.csv")) as f:
        rows = list(csv.DictReader(f))
    assert [r["point"] for r in rows] == [p.name for p in POINTS]
    assert [r["status"] for r in rows] == ["done"] + ["missing"] * 4 + ["done"] + ["missing"] * 2
    first, sixth = rows[0], rows[5]
    assert (first["n_layers"], first["n_heads"], first["n_mlps"]) == ("1", "2", "2")
    assert first["best_seed"] == "1" and float(first["best_test_acc"]) == 0.8 and float(first["best_val_acc"]) == 0.9
    assert float(first["mean_test_acc"]) == pytest.approx(0.7) and float(first["std_test_acc"]) == pytest.approx(0.1)
    assert sixth["best_seed"] == "0" and float(sixth["best_test_acc"]) == 0.75 and float(sixth["wall_seconds"]) == 100
    assert all(r[k] == "" for r in rows if r["status"] == "missing" for k in ("best_test_acc", "wall_seconds"))


def test_the_markdown_table_marks_the_best_point_by_validation_and_shows_missing_points(task_dir):
    aggregate.write_task_summary(task_dir, "paper", POINTS)
    text = open(os.path.join(task_dir, "summary.md")).read()
    assert "2 of 8 points finished" in text
    assert "| L1_H2_M2 | 1 | 2 | 2 | 80.00 | 70.00 ± 10.00 (2) | 12 s |" in text
    assert "| L2_H2_M4 | 2 | 2 | 4 | **75.00** | 87.50 ± 12.50 (2) | 100 s |" in text  # best val 0.95, not best test
    assert text.count("| missing |") == 6


def test_the_heatmap_is_a_png_and_no_temporary_file_is_left(task_dir):
    aggregate.write_task_summary(task_dir, "paper", POINTS)
    with open(os.path.join(task_dir, "heatmap.png"), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert not [name for name in os.listdir(task_dir) if name.endswith(".tmp")]


def test_a_sweep_with_nothing_finished_is_all_missing(tmp_path):
    task_dir = str(tmp_path / "sort")
    rows = aggregate.write_task_summary(task_dir, "paper", POINTS)
    assert not any(row.done for row in rows) and aggregate.best_row(rows) is None
    assert "0 of 8 points finished" in open(os.path.join(task_dir, "summary.md")).read()
    assert os.path.getsize(os.path.join(task_dir, "heatmap.png")) > 0
