"""A trained run's programs: written by tpjax.main, re-extracted by tpjax.extract, scored by tpjax.verify,
shipped by tpjax.program.ship."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys

import pytest

from tpjax import tasks
from tpjax.config import tiny_config
from tpjax.program.export import load_module
from tpjax.train import train_and_evaluate


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    c = tiny_config("sort")
    c.data.max_len = 6  # 340 possible inputs: verification is exhaustive and quick
    workdir = str(tmp_path_factory.mktemp("run") / "sort")
    return c, workdir, train_and_evaluate(c, workdir)


def _cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def _fails_in_one_line(done: subprocess.CompletedProcess, *parts: str) -> str:
    """The command failed with exit code 1 and a last stderr line `error: ...` holding every part, no traceback."""
    last = (done.stderr.strip().splitlines() or [""])[-1]
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert last.startswith("error: ") and all(p in last for p in parts), last
    return last


def test_every_seed_gets_a_program_that_agrees_with_the_model(trained):
    c, workdir, results = trained
    assert results["program_agreement"] == [1.0, 1.0]
    for seed, test_acc in zip(results["seeds"], results["test_acc"]):
        folder = os.path.join(workdir, "programs", f"seed_{seed}")
        info = json.load(open(os.path.join(folder, "program.json")))
        assert info["agreement"] == 1.0 and info["seed"] == seed
        assert info["program_test_acc"] == info["model_test_acc"] == pytest.approx(test_acc, abs=1e-12)


def test_an_emitted_program_runs_on_tokens_and_names_bad_input(trained):
    _, workdir, _ = trained
    program = load_module(os.path.join(workdir, "programs", "seed_0"))
    out = program.run(["<s>", "2", "0", "1", "</s>"])
    assert len(out) == 5 and set(out) <= set(program.LABELS)
    for bad, message in [
        (["<s>", "7", "</s>"], "unknown token '7' at position 1"),
        (["<s>"] + ["1"] * 6, "7 tokens; the context holds at most 6"),
        (["1", "2"], "must start with '<s>'"),
        ([], "must start with '<s>'"),
        (["<s>", "<pad>"], "unknown token '<pad>'"),
    ]:
        with pytest.raises(ValueError, match=message):
            program.run(bad)


def test_extract_cli_rewrites_one_seed_and_reports_errors_in_one_line(trained, tmp_path):
    _, workdir, results = trained
    out = str(tmp_path / "one")
    done = _cli("tpjax.extract", f"--workdir={workdir}", "--seed=1", f"--out={out}")
    assert done.returncode == 0, done.stderr
    assert os.path.isfile(os.path.join(out, "program.py")) and "agreement" in done.stdout
    with open(os.path.join(out, "program.py")) as a, open(os.path.join(workdir, "programs", "seed_1", "program.py")) as b:
        assert a.read() == b.read()
    _fails_in_one_line(_cli("tpjax.extract", f"--workdir={workdir}", "--seed=7"), "seed 7 is not in")
    _fails_in_one_line(_cli("tpjax.extract", f"--workdir={tmp_path / 'nothing'}"), "has no config.json")


def test_verify_scores_the_whole_input_space_exactly(trained):
    c, workdir, _ = trained
    folder = os.path.join(workdir, "programs", "seed_0")
    done = _cli("tpjax.verify", folder)
    assert done.returncode == 0, done.stderr
    report = json.load(open(os.path.join(folder, "VERIFY.json")))
    _, task = tasks.get_task(c)
    assert report["exhaustive"] and report["n_inputs"] == sum(5**n for n in range(1, 5))
    # an independent count: run the program input by input on every sorted-task input
    program = load_module(folder)
    right = total = 0
    for n in range(1, 5):
        for body in itertools.product(task.space.alphabet, repeat=n):
            x = ["<s>", *body, "</s>"]
            want, got = task.label(x), program.run(x)
            scored = [i for i, w in enumerate(want) if w != "<pad>"]
            right += sum(want[i] == got[i] for i in scored)
            total += len(scored)
    assert report["token_acc"] == right / total
    assert report["program_test_acc"] == report["model_test_acc"]
    assert len(report["counterexamples"]) == min(5, report["n_wrong_inputs"])
    if report["counterexamples"]:
        assert len(report["counterexamples"][0]["input"]) == 3  # shortest first


def test_verify_names_a_folder_that_is_not_a_program(tmp_path):
    done = _cli("tpjax.verify", str(tmp_path))
    assert done.returncode == 1 and "not a program folder" in done.stderr and "Traceback" not in done.stderr


def test_verify_names_a_broken_program_json(trained, tmp_path):
    _, workdir, _ = trained
    folder = tmp_path / "broken"
    folder.mkdir()
    for name in ("program.py", "tables.json", "runtime.py"):
        (folder / name).write_text(open(os.path.join(workdir, "programs", "seed_0", name)).read())
    (folder / "program.json").write_text("{}")
    done = _cli("tpjax.verify", str(folder))
    assert done.returncode == 1 and "not a program.json written by tpjax.extract" in done.stderr
    assert "Traceback" not in done.stderr


def test_verify_names_a_missing_or_damaged_program_file(trained, tmp_path):
    _, workdir, _ = trained
    folder = tmp_path / "program"
    shutil.copytree(os.path.join(workdir, "programs", "seed_0"), folder)
    (folder / "tables.json").unlink()
    _fails_in_one_line(_cli("tpjax.verify", str(folder)), "not a program folder: it lacks tables.json")
    (folder / "tables.json").write_text("{")
    _fails_in_one_line(_cli("tpjax.verify", str(folder)), str(folder / "program.py"), "does not load", "JSONDecodeError")


def test_verify_rechecks_the_program_against_the_checkpoint(trained, tmp_path):
    """VERIFY.json re-runs the model from the source checkpoint; a program edited afterwards shows there."""
    from tpjax.verify import verify

    _, workdir, _ = trained
    report = verify(os.path.join(workdir, "programs", "seed_0"))
    assert report["rechecked_against_checkpoint"]["agreement"] == 1.0
    assert report["rechecked_against_checkpoint"]["model_test_acc"] == report["model_test_acc"]
    agreements = []
    for k in (0, 1):  # a program forced to one class disagrees with the model for at least one of two classes
        folder = tmp_path / f"forced_{k}"
        shutil.copytree(os.path.join(workdir, "programs", "seed_0"), folder)
        tables = json.load(open(folder / "tables.json"))
        tables["classifier"]["bias"][k] += 10**12
        (folder / "tables.json").write_text(json.dumps(tables))
        agreements.append(verify(str(folder))["rechecked_against_checkpoint"]["agreement"])
    assert min(agreements) < 1.0


def test_verify_keeps_the_recorded_recheck_where_the_source_run_is_not_at_hand(trained, tmp_path, monkeypatch):
    """A clone holds programs/<task> but not the run they came from: verifying there keeps the recheck recorded
    where the run was, writes no local path, and keeps no record for a program changed since."""
    from tpjax.verify import verify

    _, workdir, _ = trained
    here, clone = tmp_path / "here", tmp_path / "clone"
    (here / "runs").mkdir(parents=True)
    os.symlink(workdir, here / "runs" / "sort")
    folder = clone / "programs" / "sort"
    shutil.copytree(os.path.join(workdir, "programs", "seed_0"), folder)
    info = json.loads((folder / "program.json").read_text())
    (folder / "program.json").write_text(json.dumps(dict(info, source="runs/sort")))  # as shipped: relative
    monkeypatch.chdir(here)
    recorded = verify(str(folder))["rechecked_against_checkpoint"]
    assert recorded["source"] == "runs/sort" and recorded["agreement"] == 1.0
    edited = tmp_path / "edited"
    shutil.copytree(folder, edited)
    tables = json.loads((edited / "tables.json").read_text())
    tables["classifier"]["bias"] = [b + 10**12 * (i == 1) for i, b in enumerate(tables["classifier"]["bias"])]
    (edited / "tables.json").write_text(json.dumps(tables))

    done = _cli("tpjax.verify", str(folder), cwd=clone)
    assert done.returncode == 0, done.stderr
    text = (folder / "VERIFY.json").read_text()
    assert json.loads(text)["rechecked_against_checkpoint"] == recorded and str(tmp_path) not in text
    assert "recorded by an earlier verify" in done.stdout and "no checkpoint of the source run" in done.stdout
    done = _cli("tpjax.verify", str(edited), cwd=clone)
    assert done.returncode == 0, done.stderr
    text = (edited / "VERIFY.json").read_text()
    assert json.loads(text)["program_test_acc"] != info["program_test_acc"]  # the edit changed the program
    assert json.loads(text)["rechecked_against_checkpoint"] == "not rechecked: no checkpoint of the source run at 'runs/sort'"
    assert str(tmp_path) not in text

    # the record follows the program's files, not its accuracy: any change to them drops it ...
    commented = tmp_path / "commented"
    shutil.copytree(folder, commented)
    (commented / "program.py").write_text((commented / "program.py").read_text() + "\n# edited\n")
    monkeypatch.chdir(clone)
    assert isinstance(verify(str(commented))["rechecked_against_checkpoint"], str)
    # ... and a VERIFY.json from before program_sha256 keeps it only for the same answers everywhere checked
    older = tmp_path / "older"
    shutil.copytree(folder, older)
    report = json.loads((older / "VERIFY.json").read_text())
    del report["program_sha256"]
    (older / "VERIFY.json").write_text(json.dumps(report))
    (older / "program.py").write_text((older / "program.py").read_text() + "\n# edited\n")
    assert verify(str(older))["rechecked_against_checkpoint"] == recorded
    report["counterexamples"] = report["counterexamples"][:-1] + [{"input": ["<s>"]}]
    (older / "VERIFY.json").write_text(json.dumps(report))
    assert isinstance(verify(str(older))["rechecked_against_checkpoint"], str)


@pytest.mark.parametrize("flag, message", [
    ("--max_inputs=0", "--max_inputs must be a positive integer"),
    ("--max_inputs=-5", "--max_inputs must be a positive integer"),
    ("--show=-1", "--show must be a non-negative integer"),
    ("--sample_seed=-1", "--sample_seed must be a non-negative integer"),
])
def test_verify_refuses_bad_flags_before_any_work(trained, tmp_path, flag, message):
    _, workdir, _ = trained
    folder = tmp_path / "program"
    shutil.copytree(os.path.join(workdir, "programs", "seed_0"), folder, ignore=shutil.ignore_patterns("VERIFY.json"))
    _fails_in_one_line(_cli("tpjax.verify", str(folder), flag), message, flag.split("=")[1])
    assert not (folder / "VERIFY.json").exists()


def _merged_run(tmp_path) -> str:
    """A run joined by tpjax.merge from two one-seed pieces written by hand (the files merge checks, no training)."""
    from tpjax.merge import merge_runs
    from tpjax.train import records

    pieces = []
    for seed in (0, 1):
        c = tiny_config("sort")
        c.seed, c.n_seeds = seed, 1
        run = records.RunFiles(str(tmp_path / f"piece_{seed}"))
        run.write_config(c)
        with open(run.metrics_path, "w") as f:
            f.writelines(json.dumps({"epoch": 1, "seed": seed, "split": s, "loss": 1.0, "acc": 0.5}) + "\n"
                         for s in ("train", "val", "test"))
        os.makedirs(os.path.join(run.workdir, "programs", f"seed_{seed}"))
        run.write_results({"task": "sort", "seeds": [seed], "train_acc": [0.5], "val_acc": [0.5], "test_acc": [0.5],
                           "best_seed": seed, "program_agreement": [1.0], "wall_seconds": 1.0})
        pieces.append(run.workdir)
    merge_runs(pieces, str(tmp_path / "merged"))
    return str(tmp_path / "merged")


def test_extract_names_the_pieces_of_a_merged_run(tmp_path):
    merged = _merged_run(tmp_path)
    last = _fails_in_one_line(_cli("tpjax.extract", f"--workdir={merged}"), "merged run")
    assert str(tmp_path / "piece_0") in last and str(tmp_path / "piece_1") in last and "tpjax.main" not in last
    last = _fails_in_one_line(_cli("tpjax.extract", f"--workdir={merged}", "--seed=1"), "merged run", "seed 1")
    assert f"--workdir={tmp_path / 'piece_1'}" in last and str(tmp_path / "piece_0") not in last


def test_extract_reports_a_corrupt_results_json_before_writing_programs(trained, tmp_path):
    _, workdir, _ = trained
    copy = tmp_path / "run"
    shutil.copytree(workdir, copy, ignore=shutil.ignore_patterns("programs"))
    (copy / "results.json").write_text('{"task": "sort", "seeds": [0, 1')
    _fails_in_one_line(_cli("tpjax.extract", f"--workdir={copy}"), str(copy / "results.json"))
    assert not (copy / "programs").exists()


def test_extract_names_an_out_that_cannot_be_a_folder(trained, tmp_path):
    _, workdir, _ = trained
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    for out in (afile, afile / "sub"):
        _fails_in_one_line(_cli("tpjax.extract", f"--workdir={workdir}", "--seed=1", f"--out={out}"), str(afile))
    assert afile.read_text() == "not a folder"


def test_ship_copies_and_verifies_the_best_seed(trained, tmp_path):
    _, workdir, results = trained
    out = tmp_path / "shipped"
    done = _cli("tpjax.program.ship", f"--runs={os.path.dirname(workdir)}", f"--out={out}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("sort: shipped") and (out / "README.md").is_file()
    report = json.loads((out / "sort" / "VERIFY.json").read_text())
    assert report["seed"] == results["best_seed"] and report["rechecked_against_checkpoint"]["agreement"] == 1.0

    (out / "hist").mkdir()  # another task shipped earlier, whose record was damaged since
    (out / "hist" / "VERIFY.json").write_text("{")
    _fails_in_one_line(_cli("tpjax.program.ship", f"--runs={os.path.dirname(workdir)}", f"--out={out}"),
                       str(out / "hist" / "VERIFY.json"), "ship that task again")
    (tmp_path / "afile").write_text("")
    _fails_in_one_line(_cli("tpjax.program.ship", f"--runs={os.path.dirname(workdir)}", f"--out={tmp_path / 'afile'}"),
                       f"--out={tmp_path / 'afile'}: {tmp_path / 'afile'} is a file, not a folder")

    (out / "hist" / "VERIFY.json").unlink()
    shipped = {name: (out / "sort" / name).read_bytes() for name in os.listdir(out / "sort")}
    bad_runs = tmp_path / "bad_runs" / "sort"  # the same run, but its program claims another epoch
    program = bad_runs / "programs" / f"seed_{results['best_seed']}"
    shutil.copytree(os.path.join(workdir, "programs", f"seed_{results['best_seed']}"), program)
    shutil.copyfile(os.path.join(workdir, "results.json"), bad_runs / "results.json")
    info = json.loads((program / "program.json").read_text())
    (program / "program.json").write_text(json.dumps({**info, "epoch": 99}))
    _fails_in_one_line(_cli("tpjax.program.ship", f"--runs={bad_runs.parent}", f"--out={out}"),
                       "the latest checkpoint is of epoch 2, the program of epoch 99", "not shipped")
    assert {name: (out / "sort" / name).read_bytes() for name in os.listdir(out / "sort")} == shipped
    assert sorted(os.listdir(out)) == ["README.md", "hist", "sort"]  # no staging folder left behind



def test_ship_refuses_a_program_its_checkpoint_does_not_back(trained, tmp_path):
    """No checkpoint to re-run, or a program that disagrees with the re-run model: not shipped, and the program
    shipped before stays byte for byte (in-process; the command line's one-line errors are tested above)."""
    from tpjax.program.ship import ship_task
    from tpjax.verify import VerifyError

    _, workdir, results = trained
    out = tmp_path / "shipped" / "sort"
    ship_task(workdir, str(out))
    shipped = {name: (out / name).read_bytes() for name in os.listdir(out)}
    best = os.path.join(workdir, "programs", f"seed_{results['best_seed']}")
    copy = tmp_path / "runs" / "sort"
    program = copy / "programs" / f"seed_{results['best_seed']}"
    shutil.copytree(best, program)
    shutil.copyfile(os.path.join(workdir, "results.json"), copy / "results.json")
    info = json.loads((program / "program.json").read_text())
    (program / "program.json").write_text(json.dumps({**info, "source": str(copy)}))  # a run without checkpoints
    with pytest.raises(VerifyError, match="not rechecked.*not shipped"):
        ship_task(str(copy), str(out))
    assert {name: (out / name).read_bytes() for name in os.listdir(out)} == shipped
    (program / "program.json").write_text(json.dumps(info))
    refused = 0
    for k in (1, 2):  # a program forced to one class disagrees with its model for at least one of two classes
        tables = json.loads(open(os.path.join(best, "tables.json")).read())
        tables["classifier"]["bias"][k] += 10**12
        (program / "tables.json").write_text(json.dumps(tables))
        try:
            ship_task(str(copy), str(out))
        except VerifyError as e:
            assert "the program disagrees with the model re-run" in str(e) and "not shipped" in str(e)
            assert {name: (out / name).read_bytes() for name in os.listdir(out)} == shipped
            refused += 1
        else:  # the model predicts class k everywhere: the forced program is right to ship
            shipped = {name: (out / name).read_bytes() for name in os.listdir(out)}
    assert refused
    assert os.listdir(out.parent) == ["sort"]  # no staging folder left behind


@pytest.mark.parametrize("runs, message", [("nosuch", "does not exist"), ("empty", "has no finished runs"),
                                           ("typo", "does not exist")])
def test_ship_without_finished_runs_fails_in_one_line_and_writes_nothing(tmp_path, runs, message):
    (tmp_path / "empty").mkdir()
    args = [f"--runs={tmp_path / runs}"] + ([] if runs == "typo" else [f"--out={tmp_path / 'shipped'}"])
    _fails_in_one_line(_cli("tpjax.program.ship", *args, cwd=tmp_path), str(tmp_path / runs), message)
    assert sorted(os.listdir(tmp_path)) == ["empty"]  # neither --out nor the default programs/


def test_exact_match_counts_the_examples_whose_every_scored_token_is_right(trained):
    c, workdir, results = trained
    for split in ("train", "val", "test"):
        pairs = tasks.examples(c, split)
        for seed, exact in zip(results["seeds"], results[f"{split}_exact"]):
            program = load_module(os.path.join(workdir, "programs", f"seed_{seed}"))
            right = [  # every example of sort has a scored token
                all(p == t for p, t in zip(program.run(x), y) if t != "<pad>") for x, y in pairs
            ]
            assert all(any(t != "<pad>" for t in y) for _, y in pairs)
            assert exact == pytest.approx(sum(right) / len(right), abs=1e-12), (split, seed)
    assert 0.0 < min(results["test_exact"]) and max(results["test_exact"]) < 1.0  # neither all nor nothing right
