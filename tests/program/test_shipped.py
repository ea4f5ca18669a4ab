"""The shipped programs under programs/<task>/: standalone, and computing what program.json and VERIFY.json say.

Each program runs in a child process (`python -I`, started in an empty folder) in which importing anything but
the standard library and numpy fails, so a program that needs jax, flax, tpjax or any other package fails
here. The child runs the program on the task's whole test split, which the parent rebuilds from program.json's
config with tpjax.tasks (pure numpy, no jax): through the array path (`predict` on token ids), the batch string
API (`run_batch`) and, on the first inputs, `run`. The full split is used (at most 2,000 inputs a task), so the
program's test accuracy must equal the recorded one exactly, not within sampling error.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import textwrap

import ml_collections
import numpy as np
import pytest

from tpjax import tasks

PROGRAMS = pathlib.Path(__file__).resolve().parents[2] / "programs"
RUNS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "runs"
TASK_DIRS = sorted(p.name for p in PROGRAMS.iterdir() if (p / "program.py").is_file())
N_RUN = 25  # test inputs also sent one by one through run()
ALLOWED = ("numpy",)  # besides the standard library
QUICK_SPACE = 40_000  # input-space re-scoring runs by default for exhaustive spaces up to this size, else -m slow

# Runs in the child before anything else: blocks every top-level module that is neither stdlib nor numpy.
_CHILD = textwrap.dedent(
    """
    import importlib.abc, importlib.util, json, sys
    BEFORE = set(sys.modules)  # what site loaded (.pth hooks such as the editable install's finder)
    ALLOWED = set(sys.stdlib_module_names) | {allowed}

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] not in ALLOWED:
                raise ModuleNotFoundError(f"blocked import of {{name!r}}: a shipped program may use only the "
                                          "standard library and numpy", name=name)
            return None

    sys.meta_path.insert(0, Block())
    for name in ("jax", "flax", "tpjax", "ml_collections"):
        try:
            __import__(name)
        except ImportError:
            pass
        else:
            raise SystemExit(f"the import blocker let {{name}} through")

    job = json.load(open(sys.argv[1]))
    spec = importlib.util.spec_from_file_location("shipped_program", job["dir"] + "/program.py")
    program = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(program)

    import numpy as np
    result = {{
        "vocab": list(program.VOCAB),
        "labels": list(program.LABELS),
        "predict": program.predict(np.asarray(job["ids"], np.int64)).tolist(),
        "run_batch": program.run_batch(job["tokens"]),
        "run": [program.run(x) for x in job["run"]],
        "modules": sorted({{m.split(".")[0] for m in set(sys.modules) - BEFORE}} - ALLOWED),
    }}
    json.dump(result, open(sys.argv[2], "w"))
    """
).format(allowed=repr(set(ALLOWED)))


def _json(task: str, name: str) -> dict:
    return json.loads((PROGRAMS / task / name).read_text())


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """task -> (info, verify, dataset, child result), each program run once in a blocked child."""
    cache = {}

    def get(task: str):
        if task not in cache:
            info, verify = _json(task, "program.json"), _json(task, "VERIFY.json")
            dataset = tasks.make_dataset(ml_collections.ConfigDict(info["config_dict"]))
            test = dataset.splits["test"]
            tokens = [tasks.decode(dataset.vocab, row) for row in test.inputs.tolist()]
            run_inputs = tokens[:N_RUN] + [ce["input"] for ce in verify.get("counterexamples", [])]
            folder = tmp_path_factory.mktemp(task)
            job, out = folder / "job.json", folder / "out.json"
            job.write_text(json.dumps({"dir": str(PROGRAMS / task), "ids": test.inputs.tolist(), "tokens": tokens,
                                       "run": run_inputs}))
            done = subprocess.run([sys.executable, "-I", "-c", _CHILD, str(job), str(out)], cwd=folder,
                                  capture_output=True, text=True, timeout=120)
            child = json.loads(out.read_text()) if done.returncode == 0 else None
            cache[task] = info, verify, dataset, tokens, done, child
        return cache[task]

    return get


def _ok(shipped, task):
    info, verify, dataset, tokens, done, child = shipped(task)
    assert done.returncode == 0, f"{task}/program.py failed with only stdlib + numpy importable:\n{done.stderr[-3000:]}"
    return info, verify, dataset, tokens, child


def test_there_are_shipped_programs():
    assert len(TASK_DIRS) >= 10, TASK_DIRS
    for task in TASK_DIRS:
        for name in ("program.py", "runtime.py", "tables.json", "program.json", "VERIFY.json"):
            assert (PROGRAMS / task / name).is_file(), f"programs/{task}/{name} is missing"


@pytest.mark.parametrize("task", TASK_DIRS)
def test_program_runs_with_only_stdlib_and_numpy(shipped, task):
    _, verify, dataset, tokens, child = _ok(shipped, task)
    assert child["modules"] == [], f"non-stdlib modules loaded: {child['modules']}"
    assert child["vocab"] == list(dataset.vocab.tokens)
    assert set(child["labels"]) <= set(dataset.labels.tokens)
    run_inputs = tokens[:N_RUN] + [ce["input"] for ce in verify["counterexamples"]]
    assert len(child["run"]) == len(run_inputs)
    for x, y in zip(run_inputs, child["run"]):
        assert len(y) == len(x) and set(y) <= set(child["labels"])


@pytest.mark.parametrize("task", TASK_DIRS)
def test_program_test_accuracy_matches_records(shipped, task):
    """Array path on the whole regenerated test split == program.json's and VERIFY.json's accuracy."""
    info, verify, dataset, _, child = _ok(shipped, task)
    test = dataset.splits["test"]
    assert info["task"] == verify["task"] == task
    assert test.inputs.shape[0] == info["n_test"] == verify["n_test"]
    to_id = np.asarray([dataset.labels.id(name) for name in child["labels"]])
    preds = to_id[np.asarray(child["predict"])]
    scored = test.targets != 0
    acc = float(np.sum((preds == test.targets) & scored) / np.sum(scored))
    assert acc == pytest.approx(info["program_test_acc"], abs=1e-12)
    assert acc == pytest.approx(verify["program_test_acc"], abs=1e-12)
    assert acc == pytest.approx(info["test_acc"], abs=1e-12)  # the snapped model's, measured at extraction


@pytest.mark.parametrize("task", TASK_DIRS)
def test_recorded_model_accuracy_is_the_kept_runs(task):
    """program.json's test accuracy (the snapped model's, measured when the program was extracted) is the one the
    training run recorded for that seed, in the run kept under docs/runs/ (induction's run is not kept)."""
    info = json.loads((PROGRAMS / task / "program.json").read_text())
    kept = [d / "results.json" for d in (RUNS / "paper" / task, RUNS / "addition" / task)
            if (d / "results.json").is_file()]
    if task == "induction":
        assert not kept
        pytest.skip("the induction run is not kept in docs/runs/ (docs/results.md)")
    assert len(kept) == 1, kept
    results = json.loads(kept[0].read_text())
    assert info["test_acc"] == results["test_acc"][results["seeds"].index(info["seed"])]


@pytest.mark.parametrize("task", TASK_DIRS)
def test_string_api_matches_array_path_and_dataset_labels(shipped, task):
    info, _, dataset, tokens, child = _ok(shipped, task)
    labels, test = child["labels"], dataset.splits["test"]
    from_arrays = [[labels[i] for i in row[: len(x)]] for row, x in zip(child["predict"], tokens)]
    assert child["run_batch"] == from_arrays
    assert child["run"][:N_RUN] == from_arrays[:N_RUN]
    # token by token against the dataset's own labels (strings), on the positions the dataset scores
    right = total = 0
    for x, y, target in zip(tokens, child["run_batch"], test.targets.tolist()):
        expected = dataset.labels.decode(target[: len(x)])
        assert len(y) == len(expected) == len(x)
        for got, want in zip(y, expected):
            if want != tasks.PAD:
                total += 1
                right += got == want
    assert right / total == pytest.approx(info["program_test_acc"], abs=1e-12)


@pytest.mark.parametrize("task", TASK_DIRS)
def test_verify_counterexamples_reproduce(shipped, task):
    """VERIFY.json's counterexamples: the program still outputs what it recorded, the task still expects the rest."""
    info, verify, dataset, _, child = _ok(shipped, task)
    _, spec_task = tasks.get_task(ml_collections.ConfigDict(info["config_dict"]))
    examples = verify["counterexamples"]
    assert (len(examples) > 0) == (verify["n_wrong_inputs"] > 0)
    for ce, got in zip(examples, child["run"][N_RUN:]):
        assert got == ce["program"], ce["input"]
        want = dataset.labels.decode(dataset.labels.encode(spec_task.label(tuple(ce["input"]))))
        assert want == ce["expected"], ce["input"]
        assert any(g != w for g, w in zip(got, want) if w != tasks.PAD), f"not a counterexample: {ce['input']}"


@pytest.mark.parametrize("task", TASK_DIRS)
def test_verify_records_full_agreement_with_the_model(task):
    info, verify = _json(task, "program.json"), _json(task, "VERIFY.json")
    assert info["agreement"] == 1.0 and verify["agreement"] == 1.0
    assert info["seed"] == verify["seed"]
    assert info["program_test_acc"] == info["model_test_acc"] == verify["model_test_acc"]
    assert verify["program_test_acc"] == verify["recorded_program_test_acc"] == verify["model_test_acc"]
    recheck = verify.get("rechecked_against_checkpoint")
    assert isinstance(recheck, dict), recheck  # every shipped program was re-run against its checkpoint
    assert recheck["agreement"] == 1.0
    assert recheck["model_test_acc"] == pytest.approx(verify["model_test_acc"], abs=1e-12)
    for key in ("token_acc", "exact_match"):
        assert 0.0 <= verify[key] <= 1.0


def _space_param(task: str):
    """Exhaustive spaces of at most QUICK_SPACE inputs run by default; the rest (up to ~40 s each) with -m slow."""
    verify = _json(task, "VERIFY.json")
    quick = verify.get("exhaustive") and verify.get("n_inputs", QUICK_SPACE + 1) <= QUICK_SPACE
    return pytest.param(task, marks=() if quick else pytest.mark.slow)


@pytest.mark.parametrize("task", [_space_param(t) for t in TASK_DIRS])
def test_input_space_scores_match_verify(task):
    """Re-score the program on the input space tpjax.verify checked; token accuracy, exact match, the number of
    wrong inputs and the counterexamples shown must all be what VERIFY.json recorded (exact, whole space)."""
    from tpjax.program.export import load_module, module_label_ids, read_program_folder
    from tpjax.verify import inputs_to_check, reference_labels

    verify = _json(task, "VERIFY.json")
    _, _, spec_task = read_program_folder(str(PROGRAMS / task))
    seed = 0 if verify["exhaustive"] else int(verify["space"].rsplit("seed ", 1)[1].rstrip(")"))
    ids, exhaustive = inputs_to_check(spec_task, 10**6, seed)
    assert exhaustive == verify["exhaustive"] and ids.shape[0] == verify["n_inputs"]
    targets = reference_labels(spec_task, ids)
    preds = module_label_ids(load_module(str(PROGRAMS / task)), ids, spec_task.labels)
    scored = targets != 0
    assert float(np.sum((preds == targets) & scored) / np.sum(scored)) == pytest.approx(verify["token_acc"], abs=1e-12)
    wrong = np.flatnonzero(np.any((preds != targets) & scored, axis=1))
    assert len(wrong) == verify["n_wrong_inputs"]
    assert 1 - len(wrong) / ids.shape[0] == pytest.approx(verify["exact_match"], abs=1e-12)
    shown = [spec_task.vocab.decode(ids[r][ids[r] != 0]) for r in wrong[: len(verify["counterexamples"])]]
    assert shown == [ce["input"] for ce in verify["counterexamples"]]


@pytest.mark.parametrize("task", TASK_DIRS)
def test_each_program_comes_from_its_tasks_default_config(task):
    """programs/<task> is the best-val seed of a run at configs/<task>.py: the config in its program.json (fields
    added since at their defaults) is that file's, except a numerical-MLP clip in a model without numerical MLPs
    (induction's run recorded the clip of its time, which no layer reads)."""
    from tpjax.cli import load_config_file
    from tpjax.program.export import read_program_folder
    from tpjax.train import records
    from tpjax.train.checkpoint import config_differences

    _, c, _ = read_program_folder(str(PROGRAMS / task))
    config_file = PROGRAMS.parent / "configs" / f"{task}.py"
    differences = config_differences(records.config_dict(c), records.config_dict(load_config_file(str(config_file))))
    if c.model.n_mlps_num == 0:
        differences = [d for d in differences if not d.startswith("model.num_max=")]
    assert differences == []
