"""Length generalisation: which points run with which data split, idempotent reruns, the summary and figure."""

import csv
import io
import json
import os
import subprocess
import sys
import warnings

import pytest

from tpjax.experiments import grid, length_gen, runner
from tpjax.tasks import decode, make_dataset
from tpjax.train import records

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _config(**overrides):
    config = grid.load_config_file(os.path.join(REPO, "configs", "sweeps", "length_gen.py"))
    for key, value in overrides.items():
        node = config
        *parents, leaf = key.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    return config


def test_every_task_and_length_is_a_point_with_its_split(tmp_path):
    plan = length_gen.make_plan(_config(), ",".join(length_gen.RASP_TASKS), "1/3", str(tmp_path))
    assert len(plan.points) == 7 * 4 and plan.mine == plan.points[1::3]
    sort20 = plan.configs[grid.LengthPoint("sort", 20)]
    assert sort20.data.length_gen == 20 and sort20.n_seeds == 5 and sort20.model.n_layers == 3
    assert plan.workdir(grid.LengthPoint("sort", 20)) == os.path.join(str(tmp_path), "length_gen", "sort", "n20")
    # the paper config of each task is kept: hist has one layer
    assert plan.configs[grid.LengthPoint("hist", 10)].model.n_layers == 1


@pytest.mark.parametrize("task,n,train_lengths,test_lengths", [
    ("sort", 3, range(1, 4), range(4, 14)),
    ("dyck1", 4, [4], [8]),
])
def test_point_data_trains_short_and_tests_long(tmp_path, task, n, train_lengths, test_lengths):
    plan = length_gen.make_plan(_config(**{"lengths": (n,), "override.data.size": 400}), task, "0/1", str(tmp_path))
    data = make_dataset(plan.configs[grid.LengthPoint(task, n)])
    special = {"<pad>", "<s>", "</s>"}

    def body_lengths(split):
        return {sum(tok not in special for tok in decode(data.vocab, list(row))) for row in data.splits[split].inputs}

    assert body_lengths("train") == set(train_lengths) and body_lengths("val") <= set(train_lengths)
    assert body_lengths("test") == set(test_lengths)


def test_override_of_what_length_gen_sets_is_refused(tmp_path):
    with pytest.raises(grid.SweepError, match="override.data.length_gen is set by the length-generalisation"):
        length_gen.make_plan(_config(**{"override.data.length_gen": 5}), "sort", "0/1", str(tmp_path))
    with pytest.raises(grid.SweepError, match="config.lengths must be"):
        length_gen.make_plan(_config(lengths=(10, 0)), "sort", "0/1", str(tmp_path))
    with pytest.raises(grid.SweepError, match="unknown task 'sorting'"):
        length_gen.make_plan(_config(), "sorting", "0/1", str(tmp_path))


def test_model_fields_can_be_overridden_for_every_point(tmp_path):
    plan = length_gen.make_plan(_config(**{"override.model.n_layers": 1}), "sort,hist", "0/1", str(tmp_path))
    assert {c.model.n_layers for c in plan.configs.values()} == {1}


def test_an_out_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "afile").write_text("")
    with pytest.raises(grid.SweepError, match="afile is a file, not a folder"):
        length_gen.make_plan(_config(), "sort", "0/1", str(tmp_path / "afile" / "sweeps"))


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "tpjax.experiments.length_gen", "--task=sort", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_command_line_runs_from_any_folder(tmp_path):
    done = _cli("--plot_only", "--out=out", cwd=tmp_path)  # the default --config is the checkout's
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "length_gen" / "summary.md").exists()
    os.remove(tmp_path / "out" / "length_gen" / "summary.md")
    rewritten = _cli("--aggregate_only", "--out=out", cwd=tmp_path)  # the sweep CLI's name for --plot_only
    assert rewritten.returncode == 0, rewritten.stderr
    assert "0 of 4 points finished" in rewritten.stdout and (tmp_path / "out" / "length_gen" / "summary.md").exists()
    refused = _cli("--plot_only", "--out=out", "--cpu_devices=0", cwd=tmp_path)
    assert refused.returncode == 1 and refused.stderr.strip().splitlines()[-1] == (
        "error: --cpu_devices must be at least 1, got 0")


@pytest.mark.parametrize("args, message", [
    (["--config.override.n_epoch=1"],
     "error: --config.override.n_epoch: the length-generalisation config has no field 'n_epoch' (did you mean "
     "'n_epochs'?)"),
    (["--config.override.task=hist"],
     "error: --config.override.task: the length-generalisation config has no field 'task'"),
])
def test_a_bad_override_of_the_default_config_is_one_line(tmp_path, args, message):
    failed = _cli("--plot_only", *args, cwd=tmp_path)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert failed.stderr.strip().splitlines() == [message]
    assert os.listdir(tmp_path) == []


def test_rerun_skips_finished_points_and_summary_lists_missing(tmp_path, monkeypatch):
    ran = []

    def fake_train(c, workdir):
        ran.append(os.path.basename(workdir))
        run = records.RunFiles(workdir)
        run.write_config(c)
        seeds = list(range(c.seed, c.seed + c.n_seeds))
        acc = [0.9 - 0.01 * c.data.length_gen] * len(seeds)
        run.write_results({"task": c.task, "seeds": seeds, "train_acc": [1.0] * len(seeds), "val_acc": acc,
                           "test_acc": acc, "best_seed": seeds[0], "best_test_acc": acc[0],
                           "program_agreement": [1.0] * len(seeds), "wall_seconds": 2.0})
        return json.load(open(os.path.join(workdir, "results.json")))

    from tpjax import train

    monkeypatch.setattr(train, "train_and_evaluate", fake_train)
    config = _config(lengths=(10, 20))
    first = length_gen.make_plan(config, "sort,reverse", "0/2", str(tmp_path))
    runner.run(first)
    assert ran == ["n10", "n10"]  # shard 0 of 2: sort/n10 and reverse/n10
    rows = length_gen.write_summary(first)
    assert [(p.task, p.n, r is not None) for p, r in rows] == [
        ("sort", 10, True), ("sort", 20, False), ("reverse", 10, True), ("reverse", 20, False)]
    root = tmp_path / "length_gen"
    assert "| sort | 20 | missing |" in (root / "summary.md").read_text()
    assert (root / "length_gen.png").stat().st_size > 0
    ran.clear()
    runner.run(length_gen.make_plan(config, "sort,reverse", "0/1", str(tmp_path)))
    assert ran == ["n20", "n20"]  # the finished points are not trained again
    length_gen.write_summary(first)
    csv_rows = (root / "summary.csv").read_text().splitlines()
    assert csv_rows[0].startswith("task,n,status") and len(csv_rows) == 5
    assert all(",done," in row for row in csv_rows[1:])


def test_the_figure_of_a_sweep_where_nothing_has_finished_is_drawn_without_warnings(tmp_path):
    rows = [(grid.LengthPoint(task, n), None) for task in ("sort", "dyck1") for n in (10, 20)]
    path = str(tmp_path / "length_gen.png")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        length_gen.figure(rows, path, "length_gen")
    assert os.path.getsize(path) > 0



def test_summary_figures_are_per_seed_statistics_with_the_best_val_seed_picked_by_seed():
    results = {"task": "sort", "seeds": [3, 4, 5], "train_acc": [1.0, 0.9, 0.8], "val_acc": [0.5, 0.7, 0.6],
               "test_acc": [0.6, 0.3, 0.9], "best_seed": 4, "wall_seconds": 12.0}
    rows = [(grid.LengthPoint("sort", 10), results), (grid.LengthPoint("sort", 20), None)]
    done, missing = csv.DictReader(io.StringIO(length_gen.summary_csv(rows)))
    assert {k: float(done[k]) for k in ("n_seeds", "train_mean", "train_std", "test_mean", "test_std", "best_test")} \
        == {"n_seeds": 3, "train_mean": 90.0, "train_std": round((200 / 3) ** 0.5, 4), "test_mean": 60.0,
            "test_std": round(600 ** 0.5, 4), "best_test": 30.0}  # population std; seed 4's test, not the first's
    assert (done["status"], missing["status"], missing["test_mean"]) == ("done", "missing", "")
    assert "| sort | 10 | 90.00 ± 8.16 | 60.00 ± 24.49 (3) | 30.00 | 12 s |" in length_gen.summary_md(rows, "x")
