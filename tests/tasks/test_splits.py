"""Dedup, bounded draws, split fractions and padding."""

from __future__ import annotations

import numpy as np
import pytest

from tpjax.tasks import splits
from tpjax.tasks.vocab import make_vocab


def coin_sampler(space: int):
    """Inputs drawn uniformly from a space of `space` distinct one-token inputs."""
    return lambda rng, n: [(str(v),) for v in rng.integers(0, space, size=n)]


def test_draw_unique_returns_distinct_inputs_in_draw_order():
    got = splits.draw_unique(coin_sampler(10_000), np.random.default_rng(0), 500)
    assert len(got) == 500 == len(set(got))
    again = splits.draw_unique(coin_sampler(10_000), np.random.default_rng(0), 500)
    assert got == again


def test_small_spaces_stop_after_a_bounded_number_of_draws():
    calls = []

    def sampler(rng, n):
        calls.append(n)
        return coin_sampler(7)(rng, n)

    got = splits.draw_unique(sampler, np.random.default_rng(0), 100)
    assert sorted(got) == [(str(v),) for v in range(7)]
    assert sum(calls) == splits.MAX_DRAW_FACTOR * 100


def test_split_sizes_are_about_81_9_10():
    assert splits.split_sizes(20000, 0.1) == (16200, 1800, 2000)
    n_train, n_val, n_test = splits.split_sizes(12345, 0.2)
    assert n_train + n_val + n_test == 12345 and n_test == 2469 and n_val == round(9876 * 0.2)


def test_shuffle_split_partitions_the_items():
    items = list(range(1000))
    parts = splits.shuffle_split(items, 0.1, np.random.default_rng(3))
    assert [len(parts[s]) for s in splits.SPLITS] == [810, 90, 100]
    assert sorted(parts["train"] + parts["val"] + parts["test"]) == items
    assert parts == splits.shuffle_split(items, 0.1, np.random.default_rng(3))
    no_test = splits.shuffle_split(items, 0.1, np.random.default_rng(3), with_test=False)
    assert set(no_test) == {"train", "val"} and len(no_test["val"]) == 100


def test_streams_are_independent_and_reproducible():
    a, b = splits.stream(0, 0).integers(0, 1 << 30, 4), splits.stream(0, 1).integers(0, 1 << 30, 4)
    assert not np.array_equal(a, b)
    assert np.array_equal(a, splits.stream(0, 0).integers(0, 1 << 30, 4))


def test_encode_pads_with_zero():
    vocab, labels = make_vocab("v", ("<s>", "x")), make_vocab("l", ("y",))
    split = splits.encode([(("<s>", "x"), ["<pad>", "y"]), (("<s>",), ["<pad>"])], vocab, labels, 4)
    assert split.inputs.dtype == np.int32 and split.targets.dtype == np.int32
    assert split.inputs.tolist() == [[1, 2, 0, 0], [1, 0, 0, 0]]
    assert split.targets.tolist() == [[0, 1, 0, 0], [0, 0, 0, 0]]
    assert len(split) == 2
    with pytest.raises(ValueError, match="context length 1"):
        splits.pad([[1, 2]], 1)
