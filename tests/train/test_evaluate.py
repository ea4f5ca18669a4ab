"""Snapped evaluation: loss, token accuracy and exact match against a numpy reference, however the split is chunked."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import optax

from tpjax import tasks
from tpjax.config import tiny_config
from tpjax.model.build import build_model
from tpjax.train import evaluate, records, step
from tpjax.train.loop import vmapped_seeds


def test_loss_exact_match_and_accuracy_match_a_reference_over_any_chunking_and_skip_rows_without_targets():
    """Guards the figures evaluation writes to metrics.jsonl and results.json: the loss is the snapped model's
    cross-entropy averaged over all scored tokens of the split (not per example), accuracy is per scored token,
    exact match per example with a scored token; rows without one count in none of them. The reference logits
    are the float model's in argmax mode, not the snapped integer runtime that evaluation runs (whose logits are
    fixed point: within 1e-6 of these at this config)."""
    c = tiny_config("sort")
    dataset = tasks.make_dataset(c)
    model = build_model(c, dataset)
    states = step.init_states(vmapped_seeds([0, 1]), model, optax.adam(c.lr), jnp.asarray(dataset.splits["train"].inputs[:2]))
    snapped = evaluate.snap_seeds(model, states.params)
    test = dataset.splits["test"]
    logits_SNTC = np.stack([
        np.asarray(model.apply({"params": jax.tree.map(lambda x: x[s], states.params)}, test.inputs, mode="argmax"),
                   np.float64)
        for s in range(2)
    ])
    preds_SNT = logits_SNTC.argmax(-1)
    # Targets that seed 0 gets wholly right on the first half of the rows, so that exact match is neither 0 nor 1.
    half = test.inputs.shape[0] // 2
    targets = test.targets.copy()
    targets[:half] = np.where(test.targets[:half] != 0, preds_SNT[0, :half], 0)
    # Three extra rows with no scored target: they count in neither figure.
    inputs = np.concatenate([test.inputs, test.inputs[:3]])
    targets_padded = np.concatenate([targets, np.zeros_like(targets[:3])])

    scored = targets != 0
    right_SNT = (preds_SNT == targets) & scored
    want_exact = np.all(right_SNT | ~scored, axis=2).mean(axis=1)
    want_acc = right_SNT.sum(axis=(1, 2)) / scored.sum()
    top = logits_SNTC.max(-1, keepdims=True)
    log_probs = logits_SNTC - top - np.log(np.exp(logits_SNTC - top).sum(-1, keepdims=True))
    nll_SNT = -np.take_along_axis(log_probs, np.broadcast_to(targets, preds_SNT.shape)[..., None], -1)[..., 0]
    want_loss = (nll_SNT * scored).sum(axis=(1, 2)) / scored.sum()
    assert np.all(want_loss > 0) and scored.sum() > 1.5 * np.any(scored, axis=1).sum()  # per token != per example
    assert 0.5 <= want_exact[0] < 1.0
    for size in (inputs.shape[0], 7):
        got = evaluate.evaluate_split(model, snapped, inputs, targets_padded, size)
        np.testing.assert_allclose(got["exact"], want_exact, rtol=0, atol=1e-12)
        np.testing.assert_allclose(got["acc"], want_acc, rtol=0, atol=1e-12)
        np.testing.assert_allclose(got["loss"], want_loss, rtol=1e-5)


def test_an_evaluation_restored_from_before_exact_match_still_writes_its_other_figures(tmp_path):
    last = {split: {"loss": np.array([0.5, 0.4]), "acc": np.array([0.7, 0.8])} for split in ("train", "val", "test")}
    results = records.results_dict("sort", [0, 1], last, 3.0)
    assert results["best_seed"] == 1 and results["test_acc"] == [0.7, 0.8]
    assert not [key for key in results if key.endswith("_exact")]
    run = records.RunFiles(str(tmp_path))
    run.append_metrics(5, [0, 1], last)
    rows = [json.loads(line) for line in open(run.metrics_path)]
    assert len(rows) == 6 and all(set(row) == {"epoch", "seed", "split", "loss", "acc"} for row in rows)
    assert "test exact" not in records.results_table(results)
