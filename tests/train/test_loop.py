"""End to end: train_and_evaluate on the tiny config writes the files of DESIGN section 5."""

import json
import os

import pytest

from tpjax.config import tiny_config
from tpjax.train import train_and_evaluate


@pytest.mark.parametrize("kind", ["program", "standard"])
def test_train_and_evaluate_writes_the_contract_files(tmp_path, kind):
    c = tiny_config("reverse")
    c.model.kind = kind
    workdir = str(tmp_path / "run")
    results = train_and_evaluate(c, workdir)
    for name in ("config.json", "metrics.jsonl", "results.json", "checkpoints"):
        assert os.path.exists(os.path.join(workdir, name))
    on_disk = json.load(open(os.path.join(workdir, "results.json")))
    assert on_disk["seeds"] == [0, 1] == results["seeds"]
    for split in ("train", "val", "test"):
        for figure in ("acc", "exact"):
            values = on_disk[f"{split}_{figure}"]
            assert len(values) == 2 and all(0.0 <= a <= 1.0 for a in values)
    assert on_disk["best_seed"] in on_disk["seeds"]
    assert on_disk["best_seed"] == on_disk["seeds"][max(range(2), key=lambda i: on_disk["val_acc"][i])]
    assert len(on_disk["program_agreement"]) == 2
    assert on_disk["wall_seconds"] > 0
    rows = [json.loads(line) for line in open(os.path.join(workdir, "metrics.jsonl"))]
    assert len(rows) == c.n_epochs * 3 * 2  # every epoch x split x seed
    assert set(rows[0]) == {"epoch", "seed", "split", "loss", "acc", "exact"}
    config = json.load(open(os.path.join(workdir, "config.json")))
    assert config["task"] == "reverse" and config["model"]["kind"] == kind


def test_a_lone_seed_matches_the_same_seed_in_a_group(tmp_path, same_parameters):
    """One epoch, as the chunking test below: its 3-seed run is the same program (the suite's compilation cache)."""
    c = tiny_config("sort")
    c.seed, c.n_seeds, c.n_epochs = 1, 1, 1
    alone = train_and_evaluate(c, str(tmp_path / "alone"))
    c.seed, c.n_seeds = 0, 3
    group = train_and_evaluate(c, str(tmp_path / "group"))
    assert alone["seeds"] == [1]
    for key in ("train_acc", "val_acc", "test_acc", "train_loss", "test_loss", "train_exact", "test_exact"):
        assert alone[key][0] == group[key][1]
    same_parameters(str(tmp_path / "alone"), [0], str(tmp_path / "group"), [1])


def test_seeds_trained_and_evaluated_in_chunks_give_the_same_results(tmp_path, same_parameters):
    c = tiny_config("sort")
    c.n_seeds, c.n_epochs = 3, 1
    whole = train_and_evaluate(c, str(tmp_path / "whole"))
    c.seed_chunk = 2
    chunked = train_and_evaluate(c, str(tmp_path / "chunked"))
    for key in ("train_acc", "val_acc", "test_acc", "train_loss", "val_loss", "test_loss", "train_exact", "val_exact",
                "test_exact", "program_agreement"):
        assert chunked[key] == whole[key], key
    same_parameters(str(tmp_path / "chunked"), [0, 1, 2], str(tmp_path / "whole"), [0, 1, 2])
    c.seed_chunk = 0  # not part of a run's identity: the chunked run's workdir takes the unchunked config
    again = train_and_evaluate(c, str(tmp_path / "chunked"))
    assert {k: v for k, v in again.items() if k != "device"} == {k: v for k, v in chunked.items() if k != "device"}


def test_a_finished_run_recorded_without_exact_match_is_evaluated_again(tmp_path, monkeypatch):
    """Runs checkpointed before exact match was measured get it on a re-run, from an evaluation of their final
    state: the same figures as a run that measured it, a warning where the recorded accuracy differs, and the
    device the run finished on kept."""
    from tpjax.train import evaluate, loop

    c = tiny_config("sort")
    c.n_epochs = 1
    fresh = train_and_evaluate(c, str(tmp_path / "fresh"))
    measure = evaluate.evaluate_split

    def recorded_by_older_code(*args, **kwargs):
        figures = measure(*args, **kwargs)
        return {"loss": figures["loss"], "acc": figures["acc"] + 0.25}  # no exact; an accuracy to warn about

    old = str(tmp_path / "old")
    with monkeypatch.context() as m:
        m.setattr(evaluate, "evaluate_split", recorded_by_older_code)
        recorded = train_and_evaluate(c, old)
    assert not any(key.endswith("_exact") for key in recorded)
    assert recorded["test_acc"] != fresh["test_acc"]
    path = os.path.join(old, "results.json")
    on_disk = json.load(open(path))
    on_disk["device"] = {"platform": "gpu", "kind": "NVIDIA H100 80GB HBM3", "count": 1, "used": 1}
    json.dump(on_disk, open(path, "w"))

    warnings = []
    monkeypatch.setattr(loop.logging, "warning", lambda msg, *args: warnings.append(msg % args))
    again = train_and_evaluate(c, old)
    for key in ("train_acc", "val_acc", "test_acc", "test_loss", "train_exact", "val_exact", "test_exact"):
        assert again[key] == fresh[key], key
    assert [w for w in warnings if "differs from the recorded one by up to 0.25" in w]
    written = json.load(open(path))
    assert written["test_exact"] == fresh["test_exact"] and written["device"] == on_disk["device"]

    del written["device"]  # recorded before the field existed: none is made up for it
    json.dump(written, open(path, "w"))
    assert "device" not in train_and_evaluate(c, old) and "device" not in json.load(open(path))


def test_every_training_step_gets_the_scheduled_temperature_and_fresh_gumbel_noise(tmp_path, monkeypatch):
    """Guards the loop's wiring of DESIGN section 2: the Gumbel temperature is annealed geometrically and smoothly
    per step over the whole run (tau_start at its first step, tau_end at its last, the same ratio between any two
    consecutive steps, across epochs), and every step of every seed draws its noise, in Gumbel mode, from a key
    of its own."""
    import jax
    import numpy as np

    from tpjax import tasks
    from tpjax.train import step

    c = tiny_config("sort")
    c.n_seeds, c.n_epochs = 1, 2  # one seed: the loop trains it beside a companion, so 2 rows per step
    c.eval_every = c.checkpoint_every = c.n_epochs  # for speed: the schedule spans epochs whatever these are
    c.model.n_layers = 1
    train_rows = tasks.make_dataset(c).splits["train"].inputs.shape[0]
    n_steps = c.n_epochs * -(-train_rows // c.batch_size)
    seen = []  # (tau, noise key) per row of the seed axis and training step, in the order the steps ran
    modes = set()  # the relaxation each traced training forward pass asks for

    def record(tau, key):
        seen.extend(zip(np.ravel(tau).tolist(), map(tuple, np.reshape(key, (-1, np.shape(key)[-1])).tolist())))

    make_epoch_fn = step.make_epoch_fn

    def recording_epoch_fn(apply_fn, *args, **kwargs):
        def apply(variables, inputs, **kw):  # the relaxed forward pass of a training step, with its tau and rng
            modes.add(kw["mode"])
            jax.debug.callback(record, kw["tau"], jax.random.key_data(kw["rng"]))
            return apply_fn(variables, inputs, **kw)

        return make_epoch_fn(apply, *args, **kwargs)

    monkeypatch.setattr(step, "make_epoch_fn", recording_epoch_fn)
    train_and_evaluate(c, str(tmp_path / "run"))

    assert modes == {"gumbel"}  # trained through the Gumbel-softmax, not the noiseless relaxations
    assert len(seen) == 2 * n_steps
    taus = np.asarray([tau for tau, _ in seen]).reshape(n_steps, 2)
    np.testing.assert_array_equal(taus[:, 0], taus[:, 1])  # both rows of a step at the same temperature
    start, end = c.gumbel.tau_start, c.gumbel.tau_end
    np.testing.assert_allclose(taus[[0, -1], 0], [start, end], rtol=1e-5)
    np.testing.assert_allclose(taus[1:, 0] / taus[:-1, 0], (end / start) ** (1 / (n_steps - 1)), rtol=1e-4)
    assert len({key for _, key in seen}) == 2 * n_steps  # fresh noise at every step, and per seed


def test_one_training_step_moves_each_parameter_by_the_configs_learning_rate(tmp_path):
    """Adam's first step moves a parameter by lr * g / (|g| + eps), so by lr wherever the gradient is not tiny:
    guards that config.lr, and not another rate, reaches the optimiser (the loss falling would not tell)."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    from tpjax import tasks
    from tpjax.model.build import build_model
    from tpjax.train import load_run, step
    from tpjax.train.loop import vmapped_seeds

    c = tiny_config("sort")
    c.n_seeds, c.n_epochs, c.lr = 1, 1, 0.0123
    dataset = tasks.make_dataset(c)
    train = dataset.splits["train"].inputs
    c.batch_size = train.shape[0]  # the whole split in one batch: one step
    workdir = str(tmp_path / "run")
    train_and_evaluate(c, workdir)

    model = build_model(c, dataset)
    first = step.init_states(vmapped_seeds([c.seed]), model, optax.adam(c.lr), jnp.asarray(train[:2])).params
    moved = np.concatenate([
        np.abs(np.asarray(a, np.float64)[0] - np.asarray(b, np.float64)[0]).ravel()
        for a, b in zip(jax.tree.leaves(load_run(workdir).params), jax.tree.leaves(first), strict=True)
    ])
    moved = moved[moved > 0]
    assert moved.size > 0.5 * sum(x[0].size for x in jax.tree.leaves(first))
    np.testing.assert_allclose([np.median(moved), moved.max()], c.lr, rtol=1e-3)
