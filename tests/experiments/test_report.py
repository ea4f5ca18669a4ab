"""The generated tables of docs/results.md: figures from finished runs only, missing runs said plainly, prose kept
(tpjax.experiments.report; the block filling, tpjax.experiments.markdown_blocks, is tested here with the CLI)."""

import json
import os
import re
import subprocess
import sys

import pytest

from tpjax.experiments import markdown_blocks, report


def _results(path, test, val=None, train=None, wall=60.0, first_seed=0):
    os.makedirs(path, exist_ok=True)
    val = val or test
    best = max(range(len(test)), key=val.__getitem__)
    results = {
        "task": "t", "seeds": list(range(first_seed, first_seed + len(test))), "train_acc": train or test,
        "val_acc": val, "test_acc": test, "best_seed": first_seed + best, "best_test_acc": test[best],
        "program_agreement": [1.0] * len(test), "wall_seconds": wall,
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


def _stopped(path, rows, config=None):
    os.makedirs(path)
    config = config or {"task": "t", "n_epochs": 100, "seed": 0, "n_seeds": 2}
    json.dump(config, open(os.path.join(path, "config.json"), "w"))
    with open(os.path.join(path, "metrics.jsonl"), "w") as f:
        for epoch, split, seed, acc in rows:
            f.write(json.dumps({"epoch": epoch, "seed": seed, "split": split, "loss": 0.1, "acc": acc}) + "\n")
    return path


# epoch 80 is the last complete evaluation: seeds 0 and 1 tie on validation, so seed 0 (the first) is the best
STOPPED_ROWS = [(40, "val", 0, 0.5), (40, "test", 0, 0.5), (40, "val", 1, 0.9), (40, "test", 1, 0.9),
                (80, "val", 0, 0.95), (80, "test", 0, 0.97), (80, "val", 1, 0.95), (80, "test", 1, 0.99)]


def test_a_stopped_baseline_shows_its_last_complete_evaluation_marked_so(tmp_path):
    _results(tmp_path / "sort", test=[0.99], val=[0.99])
    _results(tmp_path / "hist", test=[0.99], val=[0.99])
    # epoch 85 lacks seed 1 and ends in a torn line (a killed run): it does not count
    partial = _stopped(tmp_path / "sort-standard-partial", STOPPED_ROWS + [(85, "val", 0, 1.0), (85, "test", 0, 1.0)])
    with open(os.path.join(partial, "metrics.jsonl"), "a") as f:
        f.write('{"epoch": 85, "seed"')
    _stopped(tmp_path / "hist-standard-partial", STOPPED_ROWS)
    _results(tmp_path / "hist-standard", test=[1.0], val=[1.0])  # a finished baseline wins over a stopped one
    table = report.paper_table(str(tmp_path))
    assert _row(table, "sort")[6] == "97.00 (last evaluated at epoch 80 of 100)"
    assert _row(table, "hist")[6] == "100.00 (CPU)"


def test_a_baseline_in_pieces_shows_its_best_val_seed_over_the_finished_pieces_marked_with_their_seeds(tmp_path):
    for task in ("sort", "hist", "dyck1"):
        _results(tmp_path / task, test=[0.99], val=[0.99])
    pieces = tmp_path / "sort-standard-pieces"
    _results(pieces / "0-1", test=[0.91, 0.92], val=[0.95, 0.97])
    _results(pieces / "2-4", test=[0.93, 0.94, 0.95], val=[0.97, 0.5, 0.5], first_seed=2)  # ties seed 1: it wins
    os.makedirs(pieces / "5-6")  # a piece still training: no results.json
    _stopped(tmp_path / "sort-standard-partial", STOPPED_ROWS)  # pieces win over a stopped run
    _results(tmp_path / "hist-standard-pieces" / "3-4", test=[1.0, 0.9], val=[0.9, 0.99], first_seed=3)
    _results(tmp_path / "hist-standard-pieces" / "0-1", test=[0.8, 0.7], val=[0.9, 0.9])
    os.makedirs(tmp_path / "dyck1-standard-pieces" / "0-1")
    table = report.paper_table(str(tmp_path))
    assert _row(table, "sort")[6] == "92.00 (seeds 0-4 only, CPU)"
    assert _row(table, "hist")[6] == "90.00 (seeds 0, 1, 3, 4 only, CPU)"
    assert _row(table, "dyck1")[6] == "not run"
    _results(tmp_path / "sort-standard", test=[1.0], val=[1.0])  # the merged run wins over its pieces
    assert _row(report.paper_table(str(tmp_path)), "sort")[6] == "100.00 (CPU)"


def test_a_stopped_baseline_without_a_complete_evaluation_is_not_run_and_a_bad_config_is_one_line(tmp_path):
    _results(tmp_path / "sort", test=[0.99], val=[0.99])
    _stopped(tmp_path / "sort-standard-partial", [(5, "val", 0, 0.5), (5, "test", 0, 0.5)])  # seed 1 missing
    assert _row(report.paper_table(str(tmp_path)), "sort")[6] == "not run"
    _results(tmp_path / "hist", test=[0.99], val=[0.99])
    _stopped(tmp_path / "hist-standard-partial", STOPPED_ROWS, config={"task": "t"})
    with pytest.raises(report.ReportError, match="config.json lacks a run's n_epochs, seed or n_seeds"):
        report.paper_table(str(tmp_path))


def test_the_grid_table_picks_the_best_point_by_validation_and_counts_the_points_run(tmp_path):
    paper = tmp_path / "paper" / "sort"
    # L2_H4_M2 has the better test figures (best seed 0.99, mean 0.985), L3_H8_M4 the best validation (0.99).
    _results(paper / "L2_H4_M2", test=[0.98, 0.99], val=[0.95, 0.97], wall=1800.0)
    _results(paper / "L3_H8_M4", test=[0.97, 0.95], val=[0.90, 0.99], wall=1800.0)
    _results(paper / "L9_H9_M9", test=[1.0], val=[1.0])  # not a point of the paper grid: ignored
    os.makedirs(paper / "L2_H8_M2")  # started, not finished
    table = report.grid_table(str(tmp_path))
    sort = _row(table, "sort")
    assert sort[1:6] == ["2 of 8", "3/8/4", "**95.00**", "96.00 ± 1.00 (2)", "CPU 1.0 h"]
    assert sort[6:] == ["99.83 (3/8/4)", "100.00", "100.00 (1/8/4)"]
    dyck2 = _row(table, "dyck2")
    assert dyck2[1:3] == ["0 of 8", "not run"] and dyck2[6:] == ["99.09 (3/4/4)", "99.22", "99.64 (4/4/4)"]


def test_wall_time_is_summed_per_device_kind():
    runs = [{"wall_seconds": 600.0}, {"wall_seconds": 300.0, "device": {"kind": "NVIDIA H100 80GB HBM3"}},
            {"wall_seconds": 4800.0, "device": {"kind": "cpu"}}]
    assert report.wall_by_device(runs) == "CPU 1.5 h + H100 80GB HBM3 5 min"


def test_a_run_resumed_on_another_kind_of_device_names_each_kind_in_turn():
    gpu, cpu = {"kind": "NVIDIA H200", "host": "a"}, {"kind": "cpu", "host": "b"}
    resumed = {"wall_seconds": 1200.0, "device": {"kind": "cpu"}, "trained_on": [gpu, cpu]}
    two_cpus = {"wall_seconds": 600.0, "device": {"kind": "cpu"}, "trained_on": [cpu, {"kind": "cpu", "host": "c"}]}
    assert report.where(resumed) == "H200 then CPU" and report.where(two_cpus) == "CPU"
    assert report.wall_by_device([resumed, two_cpus]) == "H200 then CPU 20 min + CPU 10 min"


def test_a_point_trained_under_other_settings_is_an_error_not_a_row(tmp_path):
    from tpjax.experiments import grid, runner
    from tpjax.train import records

    plan = runner.make_grid_plan(grid.load_config_file(report.PAPER_SWEEP), "sort", "0/1", str(tmp_path))
    point = plan.points[0]
    c = plan.configs[point].copy_and_resolve_references()
    c.n_epochs = 10
    records.RunFiles(plan.workdir(point)).write_config(c)
    _results(plan.workdir(point), test=[1.0, 1.0])
    with pytest.raises(grid.SweepError, match=f"point sort/{point.name}: .* holds a run of another config"):
        report.grid_table(str(tmp_path))


def test_the_length_generalisation_table_has_one_cell_per_length_and_says_not_run(tmp_path):
    _results(tmp_path / "length_gen" / "hist" / "n10", test=[0.8, 0.6], val=[0.5, 0.4], train=[1.0, 0.98], wall=90.0)
    table = report.length_gen_table(str(tmp_path))
    hist = _row(table, "hist")
    assert hist[1:] == ["99.00 / 70.00 ± 10.00", "not run", "not run", "not run", "CPU 2 min"]
    assert _row(table, "dyck1")[1:] == ["not run"] * 4 + [""]


def _addition_run(path, task, test, val=None, exact=None, results=True, kind="program", **data):
    path.mkdir(parents=True)
    if results:
        _results(path, test=test, val=val)
    if exact is not None:
        on_disk = json.loads((path / "results.json").read_text())
        on_disk["test_exact"] = exact
        (path / "results.json").write_text(json.dumps(on_disk))
    model = {"kind": kind, "n_layers": 3, "n_heads_cat": 2, "n_heads_num": 2, "n_mlps_cat": 4, "n_mlps_num": 4,
             "embed_gumbel": data.pop("embed_gumbel", False)}
    (path / "config.json").write_text(json.dumps({"task": task, "data": data, "model": model}))


def test_the_addition_table_reads_each_runs_format_from_its_config_and_its_exact_match(tmp_path):
    # Seed 0 has the better test figures, seed 1 the better validation: the best-val seed is 1.
    _addition_run(tmp_path / "b_reversed", "addition", test=[0.9, 0.8], val=[0.5, 0.6], exact=[0.5, 0.3],
                  reversed=True)
    _addition_run(tmp_path / "a_plain", "addition", test=[0.75, 0.7], val=[0.1, 0.2], exact=[0.2, 0.1])
    _addition_run(tmp_path / "c_sum", "addition", test=[0.85], sum_label=True, embed_gumbel=True)
    _addition_run(tmp_path / "d_unfinished", "addition", test=[], results=False)
    (tmp_path / "e_empty").mkdir()
    (tmp_path / "README.md").write_text("not a run\n")
    table = report.addition_table(str(tmp_path))
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()[2:]]
    assert [row[0] for row in rows] == ["a_plain", "b_reversed", "c_sum", "d_unfinished", ""]
    plain, reversed_, sum_label, unfinished, hints = rows
    assert plain[1:] == ["addition", "digits, most significant first", "3 layers, 2+2 heads, 4+4 MLPs", "**70.00**",
                         "10.00", "72.50 ± 2.50 (2)", "15.00 ± 5.00", "93.24", "60 s (CPU)"]
    assert reversed_[2] == "digits, least significant first" and reversed_[4:6] == ["**80.00**", "30.00"]
    assert reversed_[8] == ""  # the blog writes the answer most significant first: no figure beside ours
    assert sum_label[2] == "the sum as one label, Gumbel-sampled one-hot embedding"
    assert sum_label[5] == sum_label[7] == "not measured"
    assert unfinished[4] == "not finished" and unfinished[8] == ""
    assert hints[1] == "addition_hints" and hints[4] == "not run" and hints[8] == "92.00"
    absent = report.addition_table(str(tmp_path / "absent")).splitlines()[2:]
    assert [line.split("|")[2].strip() for line in absent] == ["addition", "addition_hints"]
    assert all("not run" in line for line in absent)


@pytest.mark.parametrize("problem", ["no config", "other task", "standard model"])
def test_an_addition_folder_that_is_not_an_addition_program_run_is_an_error(tmp_path, problem):
    run = tmp_path / "run"
    if problem == "no config":
        _results(run, test=[0.5])
        message = "run holds results.json but no config.json"
    elif problem == "other task":
        _addition_run(run, "sort", test=[0.5])
        message = "run holds a sort run, not addition or addition_hints"
    else:
        _addition_run(run, "addition", test=[0.5], kind="standard")
        message = "run holds a standard model; the addition table lists Transformer Programs"
    with pytest.raises(report.ReportError, match=message):
        report.addition_table(str(tmp_path))


def test_the_addition_grid_table_gives_the_best_point_by_validation_with_its_exact_match(tmp_path):
    paper = tmp_path / "paper" / "addition"
    # L2_H4_M2 has the better test figures, L3_H8_M4 the best validation (0.7).
    for point, test, val, exact in (("L2_H4_M2", [0.9, 0.8], [0.5, 0.6], [0.5, 0.3]),
                                    ("L3_H8_M4", [0.7, 0.6], [0.7, 0.2], [0.2, 0.1])):
        _results(paper / point, test=test, val=val)
        results = json.loads((paper / point / "results.json").read_text())
        (paper / point / "results.json").write_text(json.dumps({**results, "test_exact": exact}))
    table = report.addition_grid_table(str(tmp_path))
    addition = _row(table, "addition")
    assert addition == ["addition", "2 of 8", "3/8/4", "**70.00**", "20.00", "65.00 ± 5.00 (2)", "15.00 ± 5.00",
                        "CPU 2 min", "93.24 (3/4/8)"]
    assert _row(table, "addition_hints")[1:3] == ["0 of 8", "not run"]
    assert _row(table, "addition_hints")[-1] == "92.00 (3/16/8)"


def test_the_report_covers_every_rasp_task_of_the_experiments():
    from tpjax.experiments import length_gen

    assert tuple(report.REFERENCE) == tuple(report.BLOG_WIDE_GRID) == length_gen.RASP_TASKS


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
<!-- report:addition -->
<!-- /report:addition -->
<!-- report:addition_grid -->
<!-- /report:addition_grid -->
Prose after.
"""


def test_fill_replaces_only_the_blocks_and_is_idempotent():
    generated = {"paper": "P1\nP2", "grid": "G", "length_gen": "L"}
    filled = markdown_blocks.fill(TEXT, generated)
    assert "old" not in filled
    assert "<!-- report:paper -->\nP1\nP2\n<!-- /report:paper -->" in filled
    assert "<!-- report:grid -->\nG\n<!-- /report:grid -->" in filled
    for prose in ("Prose before.", "Prose between, kept as written.", "Prose after.\n"):
        assert prose in filled
    assert markdown_blocks.fill(filled, generated) == filled
    assert filled.replace("P1\nP2\n", "").replace("G\n", "").replace("L\n", "") == TEXT.replace(
        "old paper table\n", "").replace("old\nlines\n", "")


def test_fill_keeps_backslashes_and_group_references_of_a_table_literally():
    table = r"a \1 \g<0> \\ $& b"
    filled = markdown_blocks.fill(TEXT, {"paper": table, "grid": "G", "length_gen": "L"})
    assert f"<!-- report:paper -->\n{table}\n<!-- /report:paper -->" in filled


GRID = "<!-- report:grid -->"
END_GRID = "<!-- /report:grid -->"


@pytest.mark.parametrize(
    "text, problem",
    [
        (TEXT.replace(END_GRID + "\n", ""), "needs one line '<!-- report:grid -->' and, after it, one line"),
        (TEXT + f"{GRID}\nx\n{END_GRID}\n", "needs one line '<!-- report:grid -->'"),
        (TEXT.replace(END_GRID, f"prose {END_GRID}"), "needs one line '<!-- report:grid -->'"),
        (TEXT.replace(f"{GRID}\n{END_GRID}", f"{END_GRID}\n{GRID}"), "needs one line '<!-- report:grid -->'"),
        # the paper block inside the grid block: replacing one would silently drop the other
        (TEXT.replace(f"{GRID}\n{END_GRID}\n", "").replace("<!-- report:paper -->", f"{GRID}\n<!-- report:paper -->")
         .replace("<!-- /report:paper -->", f"<!-- /report:paper -->\n{END_GRID}"),
         "docs/x.md: the paper block starts inside the grid block"),
    ],
)
def test_fill_refuses_markers_that_are_missing_repeated_inline_reversed_or_nested(text, problem):
    with pytest.raises(markdown_blocks.ReportError, match=re.escape(problem)):
        markdown_blocks.fill(text, {"paper": "P", "grid": "G", "length_gen": "L"}, "docs/x.md")


def test_write_keeps_crlf_line_ends_and_the_file_mode(tmp_path):
    doc = tmp_path / "results.md"
    doc.write_bytes(TEXT.replace("\n", "\r\n").encode())
    doc.chmod(0o640)
    markdown_blocks.write(str(doc), {"paper": "P ± 1", "grid": "G", "length_gen": "L"})
    data = doc.read_bytes()
    assert b"\r\nP \xc2\xb1 1\r\n" in data and b"Prose between, kept as written.\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    assert doc.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["results.md"]


def _cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "tpjax.experiments.report", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_the_cli_rewrites_the_blocks_in_place_and_fails_in_one_line(tmp_path):
    _results(tmp_path / "runs" / "hist", test=[1.0])
    (tmp_path / "sweeps").mkdir()
    (tmp_path / "addition").mkdir()
    doc = tmp_path / "results.md"
    doc.write_text(TEXT)
    mistyped = _cli("--runs=runz", "--sweeps=sweeps", "--addition=addition", f"--write={doc}", cwd=tmp_path)
    assert mistyped.returncode == 1 and mistyped.stderr.strip().splitlines() == [
        "error: --runs=runz is not a folder (to report its rows as not run, give an empty folder)"
    ]
    assert doc.read_text() == TEXT
    done = _cli("--runs=runs", "--sweeps=sweeps", "--addition=addition", f"--write={doc}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = doc.read_text()
    assert "| hist | 1/4/2 | 100.00 | 99.99 | **100.00** |" in text and "Prose between, kept as written." in text
    assert "| dyck2 | 0 of 8 | not run |" in text
    assert "| | addition_hints | | | not run | | | | 92.00 | |" in text

    doc.write_text("no blocks here\n")
    failed = _cli("--runs=runs", "--sweeps=sweeps", "--addition=addition", f"--write={doc}", cwd=tmp_path)
    assert failed.returncode == 1 and failed.stderr.strip().splitlines() == [
        f"error: {doc} needs one line '<!-- report:paper -->' and, after it, one line '<!-- /report:paper -->' "
        "(the paper table goes between)"
    ]
    assert doc.read_text() == "no blocks here\n"


def test_a_damaged_results_file_is_named_in_one_error_line(tmp_path):
    point = tmp_path / "sweeps" / "paper" / "hist" / "L2_H4_M2"
    point.mkdir(parents=True)
    (point / "results.json").write_text('{"task": "hist", ')
    (tmp_path / "runs").mkdir()
    failed = _cli("--runs=runs", "--sweeps=sweeps", "--addition=sweeps", cwd=tmp_path)
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines() == [
        "error: cannot read sweeps/paper/hist/L2_H4_M2/results.json: Expecting property name enclosed in double "
        "quotes: line 1 column 18 (char 17)"
    ]


def test_the_tables_of_docs_results_md_are_those_of_the_runs_kept_in_docs_runs():
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(repo, "docs", "results.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    runs = os.path.join(repo, "docs", "runs")
    generated = report.blocks(os.path.join(runs, "paper"), os.path.join(runs, "sweeps"), os.path.join(runs, "addition"))
    assert markdown_blocks.fill(text, generated, path) == text, (
        "docs/results.md is out of date: python -m tpjax.experiments.report --runs=docs/runs/paper "
        "--sweeps=docs/runs/sweeps --addition=docs/runs/addition --write=docs/results.md"
    )
