"""The generated tables of docs/results.md: figures from finished runs only, missing runs said plainly, prose kept."""

import json
import os
import subprocess
import sys

import pytest

from tpjax.experiments import report


def _results(path, test, val=None, train=None, wall=60.0):
    os.makedirs(path, exist_ok=True)
    val = val or test
    seeds = list(range(len(test)))
    best = max(seeds, key=val.__getitem__)
    results = {
        "task": "t", "seeds": seeds, "train_acc": train or test, "val_acc": val, "test_acc": test,
        "best_seed": best, "best_test_acc": test[best], "program_agreement": [1.0] * len(seeds), "wall_seconds": wall,
    }
    with open(os.path.join(path, "results.json"), "w") as f:
        json.dump(results, f)


def _row(table: str, task: str) -> list[str]:
    (line,) = [line for line in table.splitlines() if line.startswith(f"| {task} |")]
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_the_paper_table_shows_finished_runs_and_says_not_run_for_the_others(tmp_path):
    _results(tmp_path / "sort", test=[0.99, 0.97], val=[0.5, 0.9], wall=500.0)
    _results(tmp_path / "sort-standard", test=[1.0, 0.9], val=[1.0, 0.5])
    table = report.paper_table(str(tmp_path))
    sort = _row(table, "sort")
    assert sort[4] == "**97.00**" and sort[5] == "98.00 ± 1.00 (2)" and sort[6] == "100.00 (CPU)"
    assert sort[7] == "500 s (CPU)"
    assert _row(table, "hist")[4] == "not run"
    assert len(table.splitlines()) == 2 + len(report.REFERENCE)


def test_the_grid_table_picks_the_best_point_by_validation_and_counts_the_points_run(tmp_path):
    paper = tmp_path / "paper" / "sort"
    _results(paper / "L2_H4_M2", test=[0.90, 0.99], val=[0.95, 0.80], wall=1800.0)
    _results(paper / "L3_H8_M4", test=[0.97, 0.95], val=[0.90, 0.99], wall=1800.0)  # best val 0.99
    _results(paper / "L9_H9_M9", test=[1.0], val=[1.0])  # not a point of the paper grid: ignored
    os.makedirs(paper / "L2_H8_M2")  # started, not finished
    table = report.grid_table(str(tmp_path))
    sort = _row(table, "sort")
    assert sort[1:6] == ["2 of 8", "3/8/4", "**95.00**", "96.00 ± 1.00 (2)", "1.0 h"]
    assert sort[6:] == ["99.83 (3/8/4)", "100.00", "100.00 (1/8/4)"]
    dyck2 = _row(table, "dyck2")
    assert dyck2[1:3] == ["0 of 8", "not run"] and dyck2[6:] == ["99.09 (3/4/4)", "99.22", "99.64 (4/4/4)"]


def test_the_length_generalisation_table_has_one_cell_per_length_and_says_not_run(tmp_path):
    _results(tmp_path / "length_gen" / "hist" / "n10", test=[0.8, 0.6], train=[1.0, 0.98], wall=90.0)
    table = report.length_gen_table(str(tmp_path))
    hist = _row(table, "hist")
    assert hist[1:] == ["99.00 / 70.00 ± 10.00", "not run", "not run", "not run", "2 min"]
    assert _row(table, "dyck1")[1:] == ["not run"] * 4 + [""]


TEXT = """# Results
Prose before.
<!-- report:paper -->
old paper table
<!-- /report:paper -->
Prose between, kept as written.
<!-- report:grid -->
<!-- /report:grid -->
<!-- report:length_gen -->
old
lines
<!-- /report:length_gen -->
Prose after.
"""


def test_fill_replaces_only_the_blocks_and_is_idempotent():
    generated = {"paper": "P1\nP2", "grid": "G", "length_gen": "L"}
    filled = report.fill(TEXT, generated)
    assert "old" not in filled
    assert "<!-- report:paper -->\nP1\nP2\n<!-- /report:paper -->" in filled
    assert "<!-- report:grid -->\nG\n<!-- /report:grid -->" in filled
    for prose in ("Prose before.", "Prose between, kept as written.", "Prose after.\n"):
        assert prose in filled
    assert report.fill(filled, generated) == filled
    assert filled.replace("P1\nP2\n", "").replace("G\n", "").replace("L\n", "") == TEXT.replace(
        "old paper table\n", "").replace("old\nlines\n", "")


@pytest.mark.parametrize(
    "text, problem",
    [
        (TEXT.replace("<!-- /report:grid -->\n", ""), "has no block"),
        (TEXT + "<!-- report:grid -->\nx\n<!-- /report:grid -->\n", "has more than one block"),
    ],
)
def test_fill_refuses_a_file_whose_markers_are_missing_or_repeated(text, problem):
    with pytest.raises(report.ReportError, match=f"docs/x.md {problem} '<!-- report:grid -->'"):
        report.fill(text, {"paper": "P", "grid": "G", "length_gen": "L"}, "docs/x.md")


def _cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "tpjax.experiments.report", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_the_cli_rewrites_the_blocks_in_place_and_fails_in_one_line(tmp_path):
    _results(tmp_path / "runs" / "hist", test=[1.0])
    doc = tmp_path / "results.md"
    doc.write_text(TEXT)
    done = _cli("--runs=runs", "--sweeps=sweeps", f"--write={doc}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = doc.read_text()
    assert "| hist | 1/4/2 | 100.00 | 99.99 | **100.00** |" in text and "Prose between, kept as written." in text
    assert "| dyck2 | 0 of 8 | not run |" in text

    doc.write_text("no blocks here\n")
    failed = _cli("--runs=runs", "--sweeps=sweeps", f"--write={doc}", cwd=tmp_path)
    assert failed.returncode == 1 and failed.stderr.strip().splitlines() == [
        f"error: {doc} has no block '<!-- report:paper -->' ... '<!-- /report:paper -->' (each on its own line) "
        "for the paper table"
    ]
    assert doc.read_text() == "no blocks here\n"
