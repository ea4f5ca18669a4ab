"""tpjax.merge: runs of disjoint seeds join into the run of all of them, or fail in one line."""

import json
import os
import subprocess
import sys

import pytest

from tpjax.config import tiny_config
from tpjax.merge import MergeError, merge_runs
from tpjax.train import records, train_and_evaluate

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _trained(path, seed, n_seeds, **overrides):
    c = tiny_config("sort")
    c.seed, c.n_seeds, c.n_epochs = seed, n_seeds, 1
    for k, v in overrides.items():
        setattr(c, k, v)
    train_and_evaluate(c, str(path))
    return str(path)


def test_pieces_merge_into_the_run_of_all_their_seeds(tmp_path):
    """Seeds 2-3 and 0-1 (given in that order, one piece with another checkpoint_every) write the files of
    one 4-seed run: same config.json, metrics.jsonl to the byte, results.json but for wall time and
    provenance, same programs."""
    whole = _trained(tmp_path / "whole", 0, 4)
    late = _trained(tmp_path / "late", 2, 2, checkpoint_every=2)
    early = _trained(tmp_path / "early", 0, 2)
    out = str(tmp_path / "merged")
    merged = merge_runs([late, early], out)

    read = lambda d, name: open(os.path.join(d, name)).read()  # noqa: E731
    assert json.loads(read(out, "config.json")) == json.loads(read(whole, "config.json"))
    assert read(out, "metrics.jsonl") == read(whole, "metrics.jsonl")
    single = json.loads(read(whole, "results.json"))
    assert json.loads(read(out, "results.json")) == merged
    assert list(merged) == list(single) + ["merged_from"]
    provenance = ("wall_seconds", "device", "merged_from")
    assert {k: v for k, v in merged.items() if k not in provenance} == {k: v for k, v in single.items() if k not in provenance}
    pieces = [json.loads(read(d, "results.json")) for d in (early, late)]
    assert merged["wall_seconds"] == pytest.approx(sum(p["wall_seconds"] for p in pieces))
    assert [m["seeds"] for m in merged["merged_from"]] == [[0, 1], [2, 3]]
    for seed, piece in ((0, early), (1, early), (2, late), (3, late)):
        program = os.path.join("programs", f"seed_{seed}", "program.py")
        assert read(out, program).replace(piece, "DIR") == read(whole, program).replace(whole, "DIR")
    assert not os.path.exists(os.path.join(out, "checkpoints"))


def _fake(path, seed, n_seeds, epochs=(1, 2), kind="cpu", **overrides):
    """A finished run's three files, written by hand (no training): enough for every check of the merge."""
    c = tiny_config("sort")
    c.seed, c.n_seeds = seed, n_seeds
    for k, v in overrides.items():
        setattr(c, k, v)
    os.makedirs(path)
    seeds = list(range(seed, seed + n_seeds))
    run = records.RunFiles(str(path))
    run.write_config(c)
    with open(run.metrics_path, "w") as f:
        for epoch in epochs:
            for split in ("train", "val", "test"):
                for s in seeds:
                    f.write(json.dumps({"epoch": epoch, "seed": s, "split": split, "loss": 1.0, "acc": 0.5}) + "\n")
    results = {"task": "sort", "seeds": seeds, "val_acc": [0.5 + s / 100 for s in seeds], "test_acc": [0.4] * n_seeds,
               "best_seed": seeds[-1], "best_test_acc": 0.4, "program_agreement": [1.0] * n_seeds, "wall_seconds": 1.0,
               "device": {"platform": "cpu", "kind": kind, "count": 1, "peak_bytes_in_use": None, "used": 1}}
    run.write_results(results)
    return str(path)


def test_fabricated_pieces_merge_and_choose_the_best_seed_over_all(tmp_path):
    out = str(tmp_path / "out")
    merged = merge_runs([_fake(tmp_path / "b", 3, 2), _fake(tmp_path / "a", 0, 3)], out)
    assert merged["seeds"] == [0, 1, 2, 3, 4] and merged["best_seed"] == 4 and merged["wall_seconds"] == 2.0
    rows = [json.loads(line) for line in open(os.path.join(out, "metrics.jsonl"))]
    assert [(r["epoch"], r["split"], r["seed"]) for r in rows[:6]] == [(1, "train", s) for s in range(5)] + [(1, "val", 0)]
    assert len(rows) == 2 * 3 * 5


@pytest.mark.parametrize(
    "pieces, message",
    [
        ([(0, 2), (1, 2)], "the runs share seeds"),
        ([(0, 2), (3, 2)], "the seeds must be consecutive"),
        ([(0, 2), (2, 2, {"lr": 0.5})], "trained different configs (lr=0.5"),
        ([(0, 2), (2, 2, {"n_epochs": 3})], "trained different configs (n_epochs=3"),
        ([(0, 2), (2, 2, {"kind": "other cpu"})], "trained on different devices"),
        ([(0, 2), (2, 2, {"epochs": (1,)})], "were evaluated at different epochs or splits"),
        ([(0, 2)], "give at least two runs"),
    ],
)
def test_runs_that_do_not_join_are_refused_in_one_line(tmp_path, pieces, message):
    dirs = [_fake(tmp_path / f"r{i}", p[0], p[1], **(p[2] if len(p) > 2 else {})) for i, p in enumerate(pieces)]
    out = tmp_path / "out"
    with pytest.raises(MergeError, match=message.replace("(", r"\(")):
        merge_runs(dirs, str(out))
    assert not out.exists()


def test_an_unfinished_run_or_a_used_out_folder_is_refused(tmp_path):
    a, b = _fake(tmp_path / "a", 0, 2), _fake(tmp_path / "b", 2, 2)
    os.remove(os.path.join(b, "results.json"))
    with pytest.raises(MergeError, match="no results.json: not a finished run"):
        merge_runs([a, b], str(tmp_path / "out"))
    with pytest.raises(MergeError, match="no config.json"):
        merge_runs([a, str(tmp_path)], str(tmp_path / "out"))
    c = _fake(tmp_path / "c", 2, 2)
    with pytest.raises(MergeError, match="already exists and is not an empty folder"):
        merge_runs([a, c], a)


def test_the_command_line_names_the_problem_without_a_traceback(tmp_path):
    a, b = _fake(tmp_path / "a", 0, 2), _fake(tmp_path / "b", 1, 2)
    proc = subprocess.run([sys.executable, "-m", "tpjax.merge", f"--out={tmp_path / 'out'}", a, b], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1].startswith("error: the runs share seeds")
    assert "Traceback" not in proc.stderr
