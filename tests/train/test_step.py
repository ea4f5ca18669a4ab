"""The training step over stacked seeds: independence of seeds, batching, the temperature schedule."""

import os

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from tpjax import tasks
from tpjax.cli import load_config_file
from tpjax.config import tiny_config
from tpjax.model.build import build_model
from tpjax.train import step

CONFIGS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "configs")


def train_seeds(seeds, n_epochs=2, seed_chunk=0, c=None):
    """Seeds trained as the training loop trains them (its XLA options included); the tiny sort config by default."""
    c = c or tiny_config("sort")
    dataset = tasks.make_dataset(c)
    model = build_model(c, dataset)
    train = dataset.splits["train"]
    total = n_epochs * -(-train.inputs.shape[0] // c.batch_size)
    tx = optax.adam(c.lr)
    schedule = lambda s: step.tau_at(s, total, 3.0, 0.01)  # noqa: E731
    states = step.init_states(seeds, model, tx, jnp.asarray(train.inputs[:2]))
    epoch_fn = step.make_epoch_fn(
        model.apply, tx, schedule, c.batch_size, seed_chunk=seed_chunk, options=step.compiler_options(model))
    losses = []
    for epoch in range(n_epochs):
        states, loss = epoch_fn(states, jnp.asarray(train.inputs), jnp.asarray(train.targets), jnp.int32(epoch))
        losses.append(np.asarray(loss))
    return states, np.stack(losses, 1)


def test_seed_result_does_not_depend_on_the_other_seeds():
    """Bitwise: seed 3 trained beside one other seed or beside two others ends with the same parameters."""
    pair, loss_pair = train_seeds([3, 1])
    triple, loss_triple = train_seeds([1, 3, 7])
    np.testing.assert_array_equal(loss_triple[1], loss_pair[0])
    for a, b in zip(jax.tree_util.tree_leaves(pair.params), jax.tree_util.tree_leaves(triple.params)):
        np.testing.assert_array_equal(np.asarray(b)[1], np.asarray(a)[0])
    assert not np.allclose(loss_triple[0], loss_triple[1])  # different seeds do differ


def _paper_config(task, **model):
    """A task's paper config on 1,000 examples, so that one epoch is two steps of the paper's batch."""
    c = load_config_file(os.path.join(CONFIGS, f"{task}.py"))
    c.data.size = 1000
    c.model.update(model)
    return c


def _same_seeds(c, small, large):
    """Bitwise: the seeds of `small` trained beside those of `large` (a superset) end where they do alone."""
    alone, loss_alone = train_seeds(small, n_epochs=1, c=c)
    beside, loss_beside = train_seeds(large, n_epochs=1, c=c)
    rows = [large.index(s) for s in small]
    np.testing.assert_array_equal(loss_beside[rows], loss_alone)
    for a, b in zip(jax.tree_util.tree_leaves(alone.params), jax.tree_util.tree_leaves(beside.params)):
        np.testing.assert_array_equal(np.asarray(b)[rows], np.asarray(a))


def test_seeds_stay_independent_where_a_softmax_runs_over_16_values():
    """dyck1's categorical heads (16-valued predicate tables), 2 seeds alone and among 5. On XLA:CPU (jax 0.10.2,
    Intel Xeon with AVX-512) the YNNPACK reduce fusions computed the softmax over 16 values differently for
    5 stacked seeds than for 2, so every number of a dyck1 seed depended on the seeds beside it; the training
    step now compiles with only YNNPACK's dot fusions (step.compiler_options)."""
    _same_seeds(_paper_config("dyck1", n_layers=1, n_heads_num=0, n_mlps_cat=0, n_mlps_num=0), [0, 1], [0, 1, 2, 3, 4])


@pytest.mark.slow
@pytest.mark.parametrize("task", ["reverse", "hist", "double_hist", "sort", "most_freq", "dyck1", "dyck2"])
def test_seeds_are_independent_at_every_paper_config(task):
    """Bitwise, at full model size: seeds 0-1 alone, and beside seeds 2-4 (as pieces and devices split them)."""
    _same_seeds(_paper_config(task), [0, 1], [0, 1, 2, 3, 4])
    _same_seeds(_paper_config(task), [2, 3, 4], [0, 1, 2, 3, 4])


@pytest.mark.slow
def test_training_seeds_in_chunks_changes_no_number():
    """Bitwise: 5 seeds trained 2 at a time (the last chunk padded) end where 5 at once do. Slow (about 50 s);
    the default suite checks the same through a whole run (tests/train/test_loop.py, chunked vs unchunked)."""
    whole, loss_whole = train_seeds([0, 1, 2, 3, 4], n_epochs=1)
    chunked, loss_chunked = train_seeds([0, 1, 2, 3, 4], n_epochs=1, seed_chunk=2)
    np.testing.assert_array_equal(loss_chunked, loss_whole)
    whole, chunked = (st.replace(key=jax.random.key_data(st.key)) for st in (whole, chunked))
    for a, b in zip(jax.tree_util.tree_leaves(whole), jax.tree_util.tree_leaves(chunked)):
        np.testing.assert_array_equal(np.asarray(b), np.asarray(a))


def test_over_seed_chunks_maps_every_row_once():
    calls = []

    def fn(stacked, shift):
        calls.append(stacked.shape)
        return stacked * 10 + shift

    rows = jnp.arange(7.0)
    out = jax.jit(step.over_seed_chunks(fn, 3))(rows, 1.0)
    np.testing.assert_array_equal(out, np.arange(7.0) * 10 + 1)
    assert calls == [(3,)]  # traced once, for one chunk of 3 rows (7 rows padded to 9)
    assert step.over_seed_chunks(fn, 0) is fn


def test_training_lowers_the_loss():
    _, losses = train_seeds([0], n_epochs=4)
    assert losses[0, -1] < losses[0, 0]


def test_epoch_batches_cover_every_example_once():
    idx, weights = step.epoch_batches(jax.random.key(0), jnp.int32(5), 103, 16)
    assert idx.shape == (7, 16)
    real = np.asarray(idx)[np.asarray(weights) > 0]
    assert sorted(real.tolist()) == list(range(103))
    other, _ = step.epoch_batches(jax.random.key(0), jnp.int32(6), 103, 16)
    assert not np.array_equal(np.asarray(idx), np.asarray(other))


def test_temperature_is_geometric_per_step():
    taus = np.asarray([step.tau_at(jnp.int32(s), 11, 3.0, 0.01) for s in range(11)])
    np.testing.assert_allclose(taus[[0, -1]], [3.0, 0.01], rtol=1e-5)
    np.testing.assert_allclose(taus[1:] / taus[:-1], (0.01 / 3.0) ** 0.1, rtol=1e-4)


def test_sequence_loss_ignores_padding_and_zero_weight_rows():
    logits = jnp.zeros((2, 3, 4)).at[0, 1, 2].set(5.0)
    targets = jnp.array([[0, 2, 0], [1, 1, 1]])
    only_first = step.sequence_loss(logits, targets, jnp.array([1.0, 0.0]))
    expected = -jax.nn.log_softmax(logits[0, 1])[2]
    np.testing.assert_allclose(only_first, expected, rtol=1e-6)


def test_sequence_loss_is_the_mean_over_sequences_of_each_sequence_s_token_mean():
    """Guards the documented reduction (DESIGN 2, the original's loss): each weighted row's mean over its own scored
    tokens, then the mean over weighted rows; not a plain sum, nor one mean over all scored tokens of the batch."""
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=2.0, size=(3, 4, 5)).astype(np.float32)
    targets = np.array([[0, 3, 0, 0],   # 1 scored token
                        [2, 1, 4, 0],   # 3 scored tokens
                        [1, 1, 1, 1]])  # weight 0: never counts
    weights = np.array([1.0, 1.0, 0.0])

    z = logits.astype(np.float64)
    log_probs = z - np.log(np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)) - z.max(-1, keepdims=True)
    nll = -np.take_along_axis(log_probs, targets[..., None], -1)[..., 0]
    scored = targets != 0
    per_row = [nll[b][scored[b]] for b in range(2)]
    want = np.mean([row.mean() for row in per_row])
    # The case separates the candidate reductions (else it could not catch a wrong one).
    token_mean = np.concatenate(per_row).mean()
    sum_then_mean = np.mean([row.sum() for row in per_row])
    assert min(abs(want - token_mean), abs(want - sum_then_mean)) > 0.05 * want

    got = step.sequence_loss(jnp.asarray(logits), jnp.asarray(targets), jnp.asarray(weights))
    np.testing.assert_allclose(float(got), want, rtol=1e-5)
