"""tpjax.merge: runs of disjoint seeds join into the run of all of them, or fail in one line."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from tpjax.config import tiny_config
from tpjax.merge import MergeError, merge_runs
from tpjax.train import records, train_and_evaluate

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _trained(path, seed, n_seeds, **overrides):
    """A standard-Transformer run, the kind a long baseline is (no programs to extract keeps it quick; the
    fabricated runs below check that program folders are copied; tests/train, the program seeds' independence)."""
    c = tiny_config("sort")
    c.seed, c.n_seeds, c.n_epochs, c.model.kind = seed, n_seeds, 1, "standard"
    for k, v in overrides.items():
        setattr(c, k, v)
    train_and_evaluate(c, str(path))
    return str(path)


def test_trained_pieces_write_the_files_of_one_run(tmp_path, same_parameters):
    """Seeds 2-3, 4 alone and 0-1 (given in that order, one piece with another checkpoint_every), the pieces
    dyck1's baseline went in, write the files of one 5-seed run: same config.json, metrics.jsonl to the byte,
    results.json but for wall time and provenance (on CPU only with the standard model's compiler options,
    step.compiler_options). The lone seed trains beside a dropped companion (loop.vmapped_seeds)."""
    whole = _trained(tmp_path / "whole", 0, 5)
    middle = _trained(tmp_path / "middle", 2, 2, checkpoint_every=2)
    last = _trained(tmp_path / "last", 4, 1)
    early = _trained(tmp_path / "early", 0, 2)
    out = str(tmp_path / "merged")
    merged = merge_runs([middle, last, early], out, n_seeds=5)

    read = lambda d, name: open(os.path.join(d, name)).read()  # noqa: E731
    assert json.loads(read(out, "config.json")) == json.loads(read(whole, "config.json"))
    assert read(out, "metrics.jsonl") == read(whole, "metrics.jsonl")
    single = json.loads(read(whole, "results.json"))
    assert json.loads(read(out, "results.json")) == merged
    assert list(merged) == list(single) + ["merged_from"]
    provenance = ("wall_seconds", "device", "merged_from")
    assert {k: v for k, v in merged.items() if k not in provenance} == {
        k: v for k, v in single.items() if k not in provenance
    }
    pieces = [json.loads(read(d, "results.json")) for d in (early, middle, last)]
    assert merged["wall_seconds"] == pytest.approx(sum(p["wall_seconds"] for p in pieces))
    assert [m["seeds"] for m in merged["merged_from"]] == [[0, 1], [2, 3], [4]]
    assert merged["device"] == single["device"]  # same machine: every field agrees
    assert not os.path.exists(os.path.join(out, "checkpoints"))
    for piece, rows in ((early, [0, 1]), (middle, [2, 3]), (last, [4])):  # bitwise the whole run's rows
        same_parameters(piece, list(range(len(rows))), whole, rows)


# A CPU device as results.json records it, less the host CPU (the tests of mixed hosts add their own).
CPU_SOFTWARE = {"platform": "cpu", "kind": "cpu", "jax": "0.10.2", "jaxlib": "0.10.2"}


def _fake(path, seed, n_seeds, epochs=(1, 2), device=None, val=None, kind="program", **overrides):
    """A finished run's files, written by hand (no training): enough for every check of the merge."""
    c = tiny_config("sort")
    c.seed, c.n_seeds, c.model.kind = seed, n_seeds, kind
    for k, v in overrides.items():
        setattr(c, k, v)
    seeds = list(range(seed, seed + n_seeds))
    run = records.RunFiles(str(path))
    run.write_config(c, extra={"n_ctx": 9})
    with open(run.metrics_path, "w") as f:
        for epoch in epochs:
            for split in ("train", "val", "test"):
                for s in seeds:
                    f.write(json.dumps({"epoch": epoch, "seed": s, "split": split, "loss": 1.0, "acc": 0.5}) + "\n")
    for s in seeds:
        os.makedirs(os.path.join(path, "programs", f"seed_{s}"))
        open(os.path.join(path, "programs", f"seed_{s}", "program.py"), "w").write(f"# seed {s}\n")
    results = {"task": "sort", "seeds": seeds, "train_acc": [0.6] * n_seeds,
               "val_acc": val or [0.5 + s / 100 for s in seeds],
               "test_acc": [0.4 + s / 100 for s in seeds], "best_seed": seeds[-1], "best_test_acc": 0.4,
               "program_agreement": [1.0] * n_seeds, "wall_seconds": 1.0 + seed,
               "device": device or {"platform": "cpu", "kind": "cpu", "count": 2, "peak_bytes_in_use": 10 * seed,
                                    "jax": "0.10.2", "jaxlib": "0.10.2", "host": "Some CPU", "used": 1}}
    run.write_results(results)
    return str(path)


def test_fabricated_pieces_join_in_one_run_s_order(tmp_path):
    out = str(tmp_path / "out")
    b, a = _fake(tmp_path / "b", 3, 2), _fake(tmp_path / "a", 0, 3)
    merged = merge_runs([b, a], out)
    assert list(merged) == list(json.load(open(os.path.join(a, "results.json")))) + ["merged_from"]
    assert merged["seeds"] == [0, 1, 2, 3, 4] and merged["best_seed"] == 4 and merged["best_test_acc"] == pytest.approx(0.44)
    assert merged["wall_seconds"] == 1.0 + 4.0
    assert merged["device"] == {"platform": "cpu", "kind": "cpu", "count": 2, "peak_bytes_in_use": 30,
                                "jax": "0.10.2", "jaxlib": "0.10.2", "host": "Some CPU", "used": 1}
    assert [(m["workdir"], m["seeds"]) for m in merged["merged_from"]] == [(a, [0, 1, 2]), (b, [3, 4])]
    rows = [json.loads(line) for line in open(os.path.join(out, "metrics.jsonl"))]
    assert [(r["epoch"], r["split"], r["seed"]) for r in rows] == [
        (e, split, s) for e in (1, 2) for split in ("train", "val", "test") for s in range(5)
    ]
    for s in range(5):
        assert open(os.path.join(out, "programs", f"seed_{s}", "program.py")).read() == f"# seed {s}\n"
    config = json.load(open(os.path.join(out, "config.json")))
    assert (config["seed"], config["n_seeds"], config["derived"]) == (0, 5, {"n_ctx": 9})


def test_standard_model_pieces_join_without_programs(tmp_path):
    a = _fake(tmp_path / "a", 0, 2, kind="standard")
    b = _fake(tmp_path / "b", 2, 2, kind="standard")
    for d in (a, b):
        shutil.rmtree(os.path.join(d, "programs"))
    out = str(tmp_path / "out")
    assert merge_runs([a, b], out)["seeds"] == [0, 1, 2, 3]
    assert not os.path.exists(os.path.join(out, "programs"))


def test_the_best_seed_is_the_first_of_equals_across_pieces(tmp_path):
    a, b = _fake(tmp_path / "a", 0, 2, val=[0.5, 0.7]), _fake(tmp_path / "b", 2, 2, val=[0.7, 0.7])
    merged = merge_runs([b, a], str(tmp_path / "out"))
    assert merged["best_seed"] == 1 and merged["best_test_acc"] == pytest.approx(0.41)


def test_a_run_from_before_the_device_was_recorded_joins_a_cpu_run(tmp_path):
    a, b = _fake(tmp_path / "a", 0, 2), _fake(tmp_path / "b", 2, 2)
    results = json.load(open(os.path.join(b, "results.json")))
    del results["device"]
    json.dump(results, open(os.path.join(b, "results.json"), "w"))
    device = merge_runs([a, b], str(tmp_path / "out"))["device"]
    assert device["kind"] == "cpu" and device["jax"] is None and device["count"] is None  # unknown for b


def test_devices_are_compared_on_what_both_pieces_record(tmp_path):
    """Pieces from before the JAX version and host were recorded join; a GPU's host CPU does not matter; a
    field the pieces differ in reads null in the merged device."""
    old = {"platform": "cpu", "kind": "cpu", "count": 1, "peak_bytes_in_use": None, "used": 1}
    a, b = _fake(tmp_path / "a", 0, 2), _fake(tmp_path / "b", 2, 2, device=old)
    assert merge_runs([a, b], str(tmp_path / "out"))["device"]["count"] is None
    gpu = {"platform": "gpu", "kind": "H100", "jax": "0.10.2", "jaxlib": "0.10.2"}
    c = _fake(tmp_path / "c", 0, 2, device=gpu | {"host": "Some CPU"})
    d = _fake(tmp_path / "d", 2, 2, device=gpu | {"host": "Another CPU"})
    merged = merge_runs([c, d], str(tmp_path / "out2"))
    assert merged["device"] == gpu | {"host": None, "peak_bytes_in_use": None}
    assert [m["device"]["host"] for m in merged["merged_from"]] == ["Some CPU", "Another CPU"]


def test_every_piece_that_records_the_software_is_held_to_the_others(tmp_path):
    """A first piece from before the versions were recorded does not let the later ones differ."""
    old = {"platform": "cpu", "kind": "cpu"}
    new = {"platform": "cpu", "kind": "cpu", "jax": "0.10.2", "jaxlib": "0.10.2", "host": "Some CPU"}
    pieces = [_fake(tmp_path / "a", 0, 2, device=old), _fake(tmp_path / "b", 2, 2, device=new),
              _fake(tmp_path / "c", 4, 1, device=new | {"host_flags": "abc"}),
              _fake(tmp_path / "d", 5, 1, device=new | {"host_flags": "abd"})]
    with pytest.raises(MergeError, match=re.escape("ran on different devices or software (host_flags 'abc' vs 'abd')")):
        merge_runs(pieces, str(tmp_path / "out"))
    assert merge_runs(pieces[:3], str(tmp_path / "out"))["device"]["host_flags"] is None
    d = _fake(tmp_path / "e", 5, 1, device=new | {"jax": "0.9.0"})
    with pytest.raises(MergeError, match=re.escape("(jax '0.10.2' vs '0.9.0')")):
        merge_runs(pieces[:3] + [d], str(tmp_path / "out2"))


def test_mixed_hosts_joins_cpu_pieces_from_different_host_cpus_and_says_so(tmp_path):
    """Only the host CPU may differ: the merged run records that its pieces ran on several (and which)."""
    a = _fake(tmp_path / "a", 0, 2, device=CPU_SOFTWARE | {"host": "Intel Xeon", "host_flags": "avx512f"})
    b = _fake(tmp_path / "b", 2, 3, device=CPU_SOFTWARE | {"host": "AMD EPYC", "host_flags": "avx512f avx512_bf16"})
    with pytest.raises(MergeError, match=re.escape("(host 'Intel Xeon' vs 'AMD EPYC'): their numbers do not join; "
                                                   "--mixed_hosts joins them")):
        merge_runs([a, b], str(tmp_path / "strict"))
    merged = merge_runs([a, b], str(tmp_path / "out"), n_seeds=5, mixed_hosts=True)
    assert merged["seeds"] == [0, 1, 2, 3, 4] and merged["mixed_hosts"] is True
    assert merged["device"]["host"] is None and merged["device"]["host_flags"] is None
    assert merged["device"]["jax"] == "0.10.2" and merged["device"]["kind"] == "cpu"
    assert [m["device"]["host"] for m in merged["merged_from"]] == ["Intel Xeon", "AMD EPYC"]
    assert json.loads((tmp_path / "out" / "results.json").read_text())["mixed_hosts"] is True
    c = _fake(tmp_path / "c", 2, 3, device=CPU_SOFTWARE | {"host": "Intel Xeon", "host_flags": "avx512f"})
    assert "mixed_hosts" not in merge_runs([a, c], str(tmp_path / "same"))
    assert "mixed_hosts" not in merge_runs([a, c], str(tmp_path / "same_too"), mixed_hosts=True)
    flags_only = _fake(tmp_path / "f", 2, 3, device=CPU_SOFTWARE | {"host": "Intel Xeon", "host_flags": "avx2"})
    assert merge_runs([a, flags_only], str(tmp_path / "flags"), mixed_hosts=True)["mixed_hosts"] is True
    others = (CPU_SOFTWARE | {"jax": "0.9.0"}, CPU_SOFTWARE | {"jaxlib": "0.9.0"}, {"platform": "gpu", "kind": "H100"})
    for i, other in enumerate(others):
        d = _fake(tmp_path / f"d{i}", 2, 3, device=other)
        with pytest.raises(MergeError, match="do not join"):
            merge_runs([a, d], str(tmp_path / "no"), mixed_hosts=True)
    assert not (tmp_path / "no").exists()


def test_mixed_hosts_says_nothing_of_gpu_pieces_whose_host_cpus_differ(tmp_path):
    """On a GPU the host CPU does not decide the numbers: such pieces join as without the flag."""
    gpu = {"platform": "gpu", "kind": "H100", "jax": "0.10.2", "jaxlib": "0.10.2"}
    a = _fake(tmp_path / "a", 0, 2, device=gpu | {"host": "Intel Xeon"})
    b = _fake(tmp_path / "b", 2, 2, device=gpu | {"host": "AMD EPYC"})
    assert "mixed_hosts" not in merge_runs([a, b], str(tmp_path / "out"), mixed_hosts=True)


def test_a_piece_resumed_on_another_host_is_held_to_every_machine_it_trained_on(tmp_path):
    """results.json's `trained_on` (a run killed and resumed elsewhere) counts, not only the last device."""
    intel, amd = CPU_SOFTWARE | {"host": "Intel Xeon"}, CPU_SOFTWARE | {"host": "AMD EPYC"}
    a = _fake(tmp_path / "a", 0, 2, device=intel)
    b = _fake(tmp_path / "b", 2, 3, device=intel)
    _edit(b, "results.json", lambda r: r.update(trained_on=[amd, intel]))
    with pytest.raises(MergeError, match=re.escape("(host 'Intel Xeon' vs 'AMD EPYC')")):
        merge_runs([a, b], str(tmp_path / "strict"))
    first = _fake(tmp_path / "c", 0, 2, device=intel)
    _edit(first, "results.json", lambda r: r.update(trained_on=[amd, intel]))
    with pytest.raises(MergeError, match=re.escape(f"{first}, resumed on another machine, ran on different devices")):
        merge_runs([first, _fake(tmp_path / "d", 2, 3, device=amd)], str(tmp_path / "strict"))
    merged = merge_runs([a, b], str(tmp_path / "out"), mixed_hosts=True)
    assert merged["mixed_hosts"] is True and "trained_on" not in merged
    assert merged["device"]["host"] is None  # every piece finished on the Intel, but one trained on both
    assert [m.get("trained_on") for m in merged["merged_from"]] == [None, [amd, intel]]
    assert merged["test_acc"] == [0.4 + s / 100 for s in range(5)]
    gpu = _fake(tmp_path / "g", 2, 3, device=intel)
    _edit(gpu, "results.json", lambda r: r.update(trained_on=[{"platform": "gpu", "kind": "H100"}, intel]))
    with pytest.raises(MergeError, match=re.escape("(platform 'cpu' vs 'gpu')")):
        merge_runs([a, gpu], str(tmp_path / "no"), mixed_hosts=True)


def test_the_command_line_merges_mixed_hosts(tmp_path):
    a = _fake(tmp_path / "a", 0, 2, device=CPU_SOFTWARE | {"host": "Intel Xeon"})
    b = _fake(tmp_path / "b", 2, 2, device=CPU_SOFTWARE | {"host": "AMD EPYC"})
    proc = subprocess.run([sys.executable, "-m", "tpjax.merge", f"--out={tmp_path / 'out'}", "--mixed_hosts", a, b],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "best-val seed 3" in proc.stdout
    assert json.loads((tmp_path / "out" / "results.json").read_text())["mixed_hosts"] is True


def test_a_merge_killed_halfway_leaves_no_run_and_runs_again(tmp_path, monkeypatch):
    a, b = _fake(tmp_path / "a", 0, 2), _fake(tmp_path / "b", 2, 2)
    out = tmp_path / "out"

    def killed(self, results):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(records.RunFiles, "write_results", killed)
        with pytest.raises(KeyboardInterrupt):
            merge_runs([a, b], str(out))
    assert not out.exists() and (tmp_path / "out.merging" / "metrics.jsonl").exists()
    assert merge_runs([a, b], str(out))["seeds"] == [0, 1, 2, 3]
    assert sorted(os.listdir(out)) == ["config.json", "metrics.jsonl", "programs", "results.json"]
    assert not (tmp_path / "out.merging").exists()
    os.makedirs(tmp_path / "empty")
    assert merge_runs([a, b], str(tmp_path / "empty"))["seeds"] == [0, 1, 2, 3]
    os.makedirs(tmp_path / "target")
    os.symlink(tmp_path / "target", tmp_path / "link")
    merge_runs([a, b], str(tmp_path / "link"))
    assert (tmp_path / "target" / "results.json").exists() and not (tmp_path / "target.merging").exists()


def test_a_staging_folder_that_is_not_a_merge_s_own_is_never_deleted(tmp_path):
    a, b = _fake(tmp_path / "a", 0, 2), _fake(tmp_path / "b", 2, 2)
    (tmp_path / "out.merging").mkdir()
    (tmp_path / "out.merging" / "notes.txt").write_text("mine")
    with pytest.raises(MergeError, match="out.merging exists and is not a folder tpjax.merge left"):
        merge_runs([a, b], str(tmp_path / "out"))
    assert (tmp_path / "out.merging" / "notes.txt").read_text() == "mine"
    c = _fake(tmp_path / "c.merging", 2, 2)
    with pytest.raises(MergeError, match="staging folder .* lies inside the run"):
        merge_runs([a, c], str(tmp_path / "c"))
    assert (tmp_path / "c.merging" / "results.json").exists()
    with pytest.raises(MergeError, match="give the folder for the merged run"):
        merge_runs([a, b], "")


def test_the_number_of_seeds_asked_for_is_checked(tmp_path):
    a, b = _fake(tmp_path / "a", 0, 2), _fake(tmp_path / "b", 2, 2)
    with pytest.raises(MergeError, match=re.escape("the runs hold 4 seeds (") + ".*" + re.escape("), not the 5 asked for")):
        merge_runs([a, b], str(tmp_path / "out"), n_seeds=5)
    assert not (tmp_path / "out").exists()
    assert merge_runs([a, b], str(tmp_path / "out"), n_seeds=4)["seeds"] == [0, 1, 2, 3]


def _edit(path, name, change):
    """Rewrites one file of a fake run through `change` (dict for JSON files, list of rows for metrics)."""
    full = os.path.join(path, name)
    if name.endswith(".jsonl"):
        rows = change([json.loads(line) for line in open(full)])
        open(full, "w").writelines(json.dumps(r) + "\n" for r in rows)
    else:
        obj = json.load(open(full))
        change(obj)
        json.dump(obj, open(full, "w"))


def _without_seed(rows, seed, epoch):
    return [r for r in rows if not (r["seed"] == seed and r["epoch"] == epoch)]


@pytest.mark.parametrize(
    "pieces, edit, message",
    [
        ([(0, 2), (1, 2)], None, "the runs share seeds"),
        ([(0, 2), (3, 2)], None, "the seeds must be consecutive"),
        ([(0, 2), (2, 2, {"lr": 0.5})], None, "trained different configs (lr=0.5"),
        ([(0, 2), (2, 2, {"n_epochs": 3})], None, "trained different configs (n_epochs=3"),
        ([(0, 2), (2, 2, {"device": {"platform": "gpu", "kind": "H100"}})], None, "do not join"),
        ([(0, 2), (2, 2, {"device": {"platform": "cpu", "kind": "cpu", "jax": "0.9.0", "host": "Some CPU"}})], None,
         "ran on different devices or software (jax '0.10.2' vs '0.9.0'): their numbers do not join"),
        ([(0, 2), (2, 2, {"device": {"platform": "cpu", "kind": "cpu", "jaxlib": "0.10.2", "host": "Other CPU"}})], None,
         "(host 'Some CPU' vs 'Other CPU')"),
        ([(0, 2), (2, 2, {"epochs": (1,)})], None, "were evaluated at different epochs or splits"),
        ([(0, 2)], None, "give at least two runs"),
        ([(0, 2), (2, 2)], ("config.json", lambda c: c["derived"].update(n_ctx=8)), "built different models"),
        ([(0, 2), (2, 2)], ("results.json", lambda r: r.update(seeds=[2, 4])), "holds seeds [2, 4]"),
        ([(0, 2), (2, 2)], ("results.json", lambda r: r.update(test_acc=[0.4])), "test_acc should hold one entry"),
        ([(0, 2), (2, 2)], ("results.json", lambda r: r.pop("wall_seconds")), "lacks wall_seconds"),
        ([(0, 2), (2, 2)], ("results.json", lambda r: r.update(merged_from=[])), "is itself a merged run"),
        ([(0, 2), (2, 2)], ("results.json", lambda r: r.update(val_exact=[1.0, 1.0])), "record different figures"),
        ([(0, 2), (2, 2)], ("results.json", lambda r: r.update(device="gpu")), "malformed device"),
        ([(0, 2), (2, 2)], ("results.json", lambda r: r.update(trained_on=[])), "malformed device, trained_on"),
        ([(0, 2), (2, 2)], ("results.json", lambda r: r.update(trained_on=["cpu"])), "malformed device, trained_on"),
        ([(0, 2), (2, 2)], ("results.json", lambda r: r.pop("train_acc")), "lacks train_acc"),
        ([(0, 2), (2, 2)], ("metrics.jsonl", lambda rows: _without_seed(rows, 3, 2)), "holds seeds [2], not [2, 3]"),
        ([(0, 2), (2, 2)], ("metrics.jsonl", lambda rows: rows + [[1]]), "a row that is not an evaluation"),
        ([(0, 2), (2, 2)], ("metrics.jsonl", lambda rows: [{k: v for k, v in r.items() if k != "seed"} for r in rows]),
         "a row that is not an evaluation"),
    ],
)
def test_runs_that_do_not_join_are_refused_in_one_line(tmp_path, pieces, edit, message):
    dirs = [_fake(tmp_path / f"r{i}", p[0], p[1], **(p[2] if len(p) > 2 else {})) for i, p in enumerate(pieces)]
    if edit:
        _edit(dirs[-1], *edit)
    out = tmp_path / "out"
    with pytest.raises(MergeError, match=re.escape(message)):
        merge_runs(dirs, str(out))
    assert not out.exists()


def test_unfinished_runs_missing_files_and_used_out_folders_are_refused(tmp_path):
    a, b, c = _fake(tmp_path / "a", 0, 2), _fake(tmp_path / "b", 2, 2), _fake(tmp_path / "c", 2, 2)
    os.remove(os.path.join(b, "results.json"))
    with pytest.raises(MergeError, match="no results.json: not a finished run"):
        merge_runs([a, b], str(tmp_path / "out"))
    os.makedirs(tmp_path / "empty")
    with pytest.raises(MergeError, match="no config.json"):
        merge_runs([a, str(tmp_path / "empty")], str(tmp_path / "out"))
    with pytest.raises(MergeError, match="already exists and is not an empty folder"):
        merge_runs([a, c], a)
    with pytest.raises(MergeError, match="lies inside the run"):
        merge_runs([a, c], os.path.join(a, "merged"))
    (tmp_path / "afile").write_text("")
    with pytest.raises(MergeError, match="cannot write --out=.*afile/merged: Not a directory"):
        merge_runs([a, c], str(tmp_path / "afile" / "merged"))
    shutil.rmtree(os.path.join(c, "programs", "seed_3"))
    with pytest.raises(MergeError, match=re.escape("lacks programs/seed_<seed>/ of seeds [3]")):
        merge_runs([a, c], str(tmp_path / "out"))
    open(os.path.join(b, "results.json"), "w").write("{")
    with pytest.raises(MergeError, match="cannot read the results file"):
        merge_runs([a, b], str(tmp_path / "out"))
    os.remove(os.path.join(a, "metrics.jsonl"))
    with pytest.raises(MergeError, match="cannot read the metrics file"):
        merge_runs([a, c], str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_the_command_line_names_the_problem_without_a_traceback(tmp_path):
    a, b = _fake(tmp_path / "a", 0, 2), _fake(tmp_path / "b", 1, 2)
    proc = subprocess.run([sys.executable, "-m", "tpjax.merge", f"--out={tmp_path / 'out'}", a, b], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1].startswith("error: the runs share seeds")
    assert "Traceback" not in proc.stderr
