"""Checkpoints: a run killed mid-training resumes to the bitwise same end; broken workdirs fail in one line."""

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from tpjax import config as config_lib
from tpjax import tasks
from tpjax.config import tiny_config
from tpjax.experiments import grid
from tpjax.model.build import build_model
from tpjax.train import CheckpointError, checkpoint, load_run, records, step, train_and_evaluate
from tpjax.train.loop import vmapped_seeds

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OVERRIDES = {"n_epochs": 6, "checkpoint_every": 2, "model.n_layers": 1}
CONFIG_FILE = 'from tpjax.config import tiny_config\n\n\ndef get_config():\n    return tiny_config("sort")\n'
# tpjax.main with every epoch slowed down, so that the test can kill it between two checkpoints.
SLOW_MAIN = """
import sys, time
from absl import app
from tpjax import main
from tpjax.train import step

make_epoch_fn = step.make_epoch_fn


def slow_make_epoch_fn(*args, **kwargs):
    epoch_fn = make_epoch_fn(*args, **kwargs)

    def slow(*a):
        out = epoch_fn(*a)
        time.sleep(0.5)
        return out

    return slow


step.make_epoch_fn = slow_make_epoch_fn
main.define_flags()
app.run(main.main)
"""


def _config():
    c = tiny_config("sort")
    c.update_from_flattened_dict(OVERRIDES)
    return c


def _cli_args(tmp_path, workdir):
    path = tmp_path / "tiny_sort.py"
    path.write_text(CONFIG_FILE)
    return [f"--config={path}", f"--workdir={workdir}"] + [f"--config.{k}={v}" for k, v in OVERRIDES.items()]


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """An uninterrupted run of _config(): the reference, and the source of the damaged copies below."""
    workdir = str(tmp_path_factory.mktemp("finished") / "run")
    train_and_evaluate(_config(), workdir)
    return workdir


def _copy(finished, tmp_path):
    workdir = str(tmp_path / "copy")
    shutil.copytree(finished, workdir)
    return workdir


def _metric_epochs(workdir):
    if not os.path.exists(os.path.join(workdir, "metrics.jsonl")):
        return set()
    with open(os.path.join(workdir, "metrics.jsonl")) as f:
        return {json.loads(line)["epoch"] for line in f if line.endswith("\n")}


def _without_wall(results):
    return {k: v for k, v in results.items() if k != "wall_seconds"}


def _count_epochs(monkeypatch) -> list[int]:
    """Records the epochs the next run trains."""
    trained, make_epoch_fn = [], step.make_epoch_fn

    def counting_make_epoch_fn(*args, **kwargs):
        epoch_fn = make_epoch_fn(*args, **kwargs)

        def counting(states, inputs, targets, epoch):
            trained.append(int(epoch) + 1)
            return epoch_fn(states, inputs, targets, epoch)

        return counting

    monkeypatch.setattr(step, "make_epoch_fn", counting_make_epoch_fn)
    return trained


def test_a_killed_run_resumes_to_the_same_parameters_and_results(finished, tmp_path, monkeypatch):
    workdir = str(tmp_path / "killed")
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_MAIN] + _cli_args(tmp_path, workdir),
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    # Kill it after checkpoint 4 and the evaluation of epoch 5, before checkpoint 6.
    deadline = time.time() + 300
    second = os.path.join(workdir, "checkpoints", "4", checkpoint.MANIFEST)
    while not (os.path.exists(second) and 5 in _metric_epochs(workdir)):
        assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read().decode()[-2000:]}"
        assert time.time() < deadline, "no second checkpoint within 300 s"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    assert not os.path.exists(os.path.join(workdir, "checkpoints", "6"))
    assert not os.path.exists(os.path.join(workdir, "results.json"))

    trained = _count_epochs(monkeypatch)
    resumed = train_and_evaluate(_config(), workdir)
    assert trained == [5, 6]

    reference = json.load(open(os.path.join(finished, "results.json")))
    assert _without_wall(json.load(open(os.path.join(workdir, "results.json")))) == _without_wall(reference)
    assert _without_wall(resumed) == _without_wall(reference)
    assert open(os.path.join(workdir, "metrics.jsonl")).read() == open(os.path.join(finished, "metrics.jsonl")).read()
    a, b = load_run(workdir), load_run(finished)
    assert a.epoch == b.epoch == 6
    assert jax.tree.structure(a.params) == jax.tree.structure(b.params)
    for x, y in zip(jax.tree.leaves(a.params), jax.tree.leaves(b.params)):
        np.testing.assert_array_equal(x, y, strict=True)


def test_a_finished_run_rerun_only_rewrites_its_results(finished, tmp_path, monkeypatch):
    workdir = _copy(finished, tmp_path)
    os.remove(os.path.join(workdir, "results.json"))
    metrics = open(os.path.join(workdir, "metrics.jsonl")).read()
    trained = _count_epochs(monkeypatch)
    again = train_and_evaluate(_config(), workdir)
    assert trained == []
    assert again == json.load(open(os.path.join(finished, "results.json")))  # wall_seconds too: no work redone
    assert open(os.path.join(workdir, "metrics.jsonl")).read() == metrics
    assert sorted(os.listdir(os.path.join(workdir, "checkpoints"))) == ["2", "4", "6"]


def _killed_after_checkpoint_4(finished, tmp_path) -> str:
    """A copy of the finished run as a kill between checkpoints 4 and 6 leaves it (metrics are cut on resume)."""
    workdir = _copy(finished, tmp_path)
    shutil.rmtree(os.path.join(workdir, "checkpoints", "6"))
    os.remove(os.path.join(workdir, "results.json"))
    return workdir


def _on_another_cpu(monkeypatch) -> None:
    """This process now reads as a machine with another CPU model (the numbers stay this CPU's)."""
    monkeypatch.setattr(records, "host_cpu", lambda: "Another CPU")


def test_a_run_resumed_on_another_machine_lists_each_machine_it_trained_on(finished, tmp_path, monkeypatch):
    """results.json's `device` names only where a run finished; `trained_on` every machine, in turn."""
    workdir = _killed_after_checkpoint_4(finished, tmp_path)
    here = records.machine()
    _on_another_cpu(monkeypatch)
    trained = _count_epochs(monkeypatch)
    resumed = train_and_evaluate(_config(), workdir)
    assert trained == [5, 6]
    assert resumed["trained_on"] == [here, here | {"host": "Another CPU"}]
    assert resumed["device"]["host"] == "Another CPU"
    assert json.load(open(os.path.join(workdir, "results.json"))) == resumed
    reference = json.load(open(os.path.join(finished, "results.json")))
    assert "trained_on" not in reference  # one machine: `device` says it all
    provenance = ("wall_seconds", "device", "trained_on")
    assert {k: v for k, v in resumed.items() if k not in provenance} == {
        k: v for k, v in reference.items() if k not in provenance}
    os.remove(os.path.join(workdir, "results.json"))
    assert train_and_evaluate(_config(), workdir)["trained_on"] == resumed["trained_on"]  # kept in the checkpoint
    assert trained == [5, 6]


def test_a_machine_is_listed_again_only_after_another(monkeypatch):
    a = records.machine()
    _on_another_cpu(monkeypatch)
    b = records.machine()
    assert records.after_training_here([]) == [b]
    assert records.after_training_here([a, b]) == [a, b]
    monkeypatch.undo()
    assert records.after_training_here([a, b]) == [a, b, a]
    assert records.after_training_here([a]) == [a]


def test_a_finished_run_whose_results_are_written_again_elsewhere_names_where_it_trained(finished, tmp_path,
                                                                                        monkeypatch):
    """Killed after its last checkpoint, before results.json (extraction, say), and finished on another CPU:
    `device` is the machine that wrote the file, `trained_on` the one that trained."""
    workdir = _copy(finished, tmp_path)
    os.remove(os.path.join(workdir, "results.json"))
    here = records.machine()
    _on_another_cpu(monkeypatch)
    again = train_and_evaluate(_config(), workdir)
    assert again["device"]["host"] == "Another CPU" and again["trained_on"] == [here]


def _strip_trained_on(workdir, step_name):
    """The checkpoint as tpjax wrote it before it recorded machines."""
    step_dir = os.path.join(workdir, "checkpoints", step_name)
    path = os.path.join(step_dir, "meta", "metadata")
    meta = json.load(open(path))
    del meta["trained_on"]
    json.dump(meta, open(path, "w"))
    checkpoint._write_manifest(step_dir)


def test_a_checkpoint_from_before_machines_were_recorded_resumes_and_says_what_is_not_known(
        finished, tmp_path, monkeypatch, caplog):
    workdir = _killed_after_checkpoint_4(finished, tmp_path)
    _strip_trained_on(workdir, "4")
    resumed = train_and_evaluate(_config(), workdir)
    assert _without_wall(resumed) == _without_wall(json.load(open(os.path.join(finished, "results.json"))))
    assert "epochs 1-4 are not in trained_on" in caplog.text


def test_a_checkpoint_cut_short_by_a_kill_is_redone_not_loaded(finished, tmp_path):
    workdir = _copy(finished, tmp_path)
    os.remove(os.path.join(workdir, "checkpoints", "6", checkpoint.MANIFEST))
    with pytest.raises(CheckpointError, match=r"checkpoints/6 was cut short by a kill; re-run tpjax.main"):
        load_run(workdir)
    ckpts = checkpoint.Checkpoints(workdir, _config(), [0, 1])
    try:
        _, progress = ckpts.restore_latest(_abstract_state(_config(), [0, 1]))
    finally:
        ckpts.close()
    assert progress.epoch == 4 and progress.last["val"]["acc"].shape == (2,)
    assert sorted(os.listdir(os.path.join(workdir, "checkpoints"))) == ["2", "4"]


def test_load_run_gives_the_config_seeds_and_stacked_params(finished):
    run = load_run(finished)
    assert run.config == _config()
    config_lib.validate(run.config)
    assert run.seeds == [0, 1] and run.epoch == 6
    assert all(x.shape[0] == 2 for x in jax.tree.leaves(run.params))


def _abstract_state(c, seeds):
    dataset = tasks.make_dataset(c)
    model = build_model(c, dataset)
    example = jnp.asarray(dataset.splits["train"].inputs[:2])
    return jax.eval_shape(lambda: step.init_states(vmapped_seeds(seeds), model, optax.adam(c.lr), example))


def _zero_state(abstract):
    """A state of the right shapes without compiling anything: enough for the checkpoint files."""
    keys = jax.eval_shape(jax.random.key_data, abstract.key)
    state = jax.tree.map(lambda s: np.zeros(s.shape, s.dtype), abstract.replace(key=keys))
    return state.replace(key=jax.random.wrap_key_data(state.key))


def _write_checkpoint(workdir, c, seeds, epoch):
    records.RunFiles(workdir).write_config(c)
    ckpts = checkpoint.Checkpoints(workdir, c, seeds)
    ckpts.save(_zero_state(_abstract_state(c, seeds)), checkpoint.Progress(epoch=epoch))
    ckpts.close()


def test_load_run_of_a_lone_seed_keeps_its_companion_row(tmp_path):
    c = tiny_config("reverse")
    c.seed, c.n_seeds = 3, 1
    _write_checkpoint(str(tmp_path), c, [3], epoch=1)
    run = load_run(str(tmp_path))
    assert run.seeds == [3] and run.epoch == 1
    assert all(x.shape[0] == 2 for x in jax.tree.leaves(run.params))


def _task_configs():
    names = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO, "configs", "*.py")))
    for name in names:
        yield name, grid.load_config_file(os.path.join(REPO, "configs", f"{name}.py"))


def test_every_config_survives_config_json(tmp_path):
    for name, c in _task_configs():
        run = records.RunFiles(str(tmp_path / name))
        run.write_config(c, extra={"n_ctx": 8})
        rebuilt = checkpoint.read_config(run.config_path)
        assert rebuilt == c, name


def test_metrics_are_cut_back_to_the_checkpoint_and_a_torn_line_dropped(tmp_path):
    run = records.RunFiles(str(tmp_path))
    for epoch in (1, 2, 3):
        run.append_metrics(epoch, [0], {"val": {"loss": np.array([0.5]), "acc": np.array([0.25])}})
    with open(run.metrics_path, "a") as f:
        f.write('{"epoch": 4, "se')
    run.truncate_metrics(2)
    assert [json.loads(line)["epoch"] for line in open(run.metrics_path)] == [1, 2]


def test_another_config_on_an_existing_workdir_is_refused(finished, tmp_path):
    workdir = _copy(finished, tmp_path)
    c = _config()
    c.model.d_mlp, c.n_epochs = 4, 7
    message = r"holds a run of another config \(model.d_mlp=4 here, 8 there; n_epochs=7 here, 6 there\); use a fresh"
    with pytest.raises(CheckpointError, match=message):
        train_and_evaluate(c, workdir)
    assert json.load(open(os.path.join(workdir, "config.json")))["model"]["d_mlp"] == 8


def _latest_data_file(workdir):
    return sorted(glob.glob(os.path.join(workdir, "checkpoints", "6", "params", "**", "d", "*"), recursive=True))[0]


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda path: open(path, "r+b").truncate(10), r"checkpoints/6 is damaged: params/.* has 10 bytes, \d+ were"),
        (os.remove, r"checkpoints/6 is damaged: params/.* is missing"),
        (lambda path: open(path, "r+b").write(b"\0" * 4), r"checkpoints/6 is damaged: params/.* has changed"),
    ],
    ids=["truncated", "deleted", "overwritten"],
)
def test_a_damaged_checkpoint_is_named(finished, tmp_path, damage, message):
    workdir = _copy(finished, tmp_path)
    damage(_latest_data_file(workdir))
    with pytest.raises(CheckpointError, match=message):
        load_run(workdir)
    with pytest.raises(CheckpointError, match=message):
        train_and_evaluate(_config(), workdir)


def test_a_checkpoint_of_another_run_is_refused(finished, tmp_path):
    other = _config()
    other.model.d_mlp = 4
    _write_checkpoint(str(tmp_path / "other"), other, [0, 1], epoch=6)
    workdir = _copy(finished, tmp_path)
    shutil.rmtree(os.path.join(workdir, "checkpoints"))
    shutil.copytree(str(tmp_path / "other" / "checkpoints"), os.path.join(workdir, "checkpoints"))
    with pytest.raises(CheckpointError, match=r"checkpoints/6 belongs to another run \(model.d_mlp=8 here, 4 there\)"):
        train_and_evaluate(_config(), workdir)
    message = r"belongs to another run than .*config.json \(model.d_mlp=8 in config.json, 4 in the checkpoint\)"
    with pytest.raises(CheckpointError, match=message):
        load_run(workdir)


def test_a_checkpoint_of_another_model_shape_is_refused(finished):
    other = _config()
    other.model.d_mlp = 4
    ckpts = checkpoint.Checkpoints(finished, _config(), [0, 1])
    try:
        with pytest.raises(CheckpointError, match=r"holds parameters of another model: .*mlp_cat_b1.* is \(\(2, 1, 8"):
            ckpts.restore_latest(_abstract_state(other, [0, 1]))
    finally:
        ckpts.close()


def test_missing_checkpoints_are_named(finished, tmp_path):
    with pytest.raises(CheckpointError, match="has no config.json"):
        load_run(str(tmp_path))
    workdir = _copy(finished, tmp_path)
    shutil.rmtree(os.path.join(workdir, "checkpoints"))
    with pytest.raises(CheckpointError, match=r"has no checkpoint in .*checkpoints"):
        load_run(workdir)
    with pytest.raises(CheckpointError, match="holds results.json but no checkpoint to resume from"):
        train_and_evaluate(_config(), workdir)


def test_the_cli_reports_a_damaged_checkpoint_in_one_line(finished, tmp_path):
    workdir = _copy(finished, tmp_path)
    open(_latest_data_file(workdir), "r+b").truncate(10)
    proc = subprocess.run(
        [sys.executable, "-m", "tpjax.main"] + _cli_args(tmp_path, workdir), cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("error: checkpoint ") and "is damaged" in lines[-1], proc.stderr
    assert sum(line.startswith("error:") for line in lines) == 1 and "Traceback" not in proc.stderr


def test_load_run_reads_a_run_from_before_a_field_existed_as_it_was_trained(finished, tmp_path):
    """An older config.json lacks later fields (they take defaults that keep the old behaviour), and num_max = 0
    is rebuilt with the clip recorded in the saved model spec, not with today's meaning of 0."""
    import shutil

    old = str(tmp_path / "old")
    shutil.copytree(finished, old)
    saved = json.load(open(os.path.join(old, "config.json")))
    del saved["model"]["embed_gumbel"]
    saved["model"]["num_max"] = 0
    saved["derived"]["spec"]["num_max"] = 3
    json.dump(saved, open(os.path.join(old, "config.json"), "w"))
    run = load_run(old)
    assert run.config.model.embed_gumbel is False
    assert run.config.model.num_max == 3
    assert load_run(finished).config.model.num_max == _config().model.num_max == 0  # today's 0 stays 0


def test_a_run_from_before_a_field_existed_resumes_unless_num_max_changed_meaning(finished, tmp_path):
    import shutil

    older = str(tmp_path / "older")
    shutil.copytree(finished, older)
    saved = json.load(open(os.path.join(older, "config.json")))
    del saved["model"]["embed_gumbel"]  # written before the field existed: its default keeps the old behaviour
    json.dump(saved, open(os.path.join(older, "config.json"), "w"))
    checkpoint.check_workdir_config(os.path.join(older, "config.json"), _config())
    c = _config()
    c.model.num_max = 0
    saved["model"]["num_max"] = 0
    saved["derived"]["spec"]["num_max"] = 3  # built when 0 meant another clip than today's
    json.dump(saved, open(os.path.join(older, "config.json"), "w"))
    with pytest.raises(CheckpointError, match="num_max=0 meant a clip at 3, and 0 now means no clip"):
        checkpoint.check_workdir_config(os.path.join(older, "config.json"), c)
