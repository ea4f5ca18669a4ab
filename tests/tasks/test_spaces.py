"""A task's declared input space (`Task.space`) holds every input its sampler draws, and enumerates exactly."""

from __future__ import annotations

import itertools

import pytest

from tpjax import tasks
from tpjax.verify import enumerate_space

from .conftest import config

ENUMERABLE = ["reverse", "sort", "hist", "double_hist", "most_freq", "dyck1", "dyck2"]


@pytest.mark.parametrize("task", ENUMERABLE)
def test_sampled_inputs_lie_in_the_space(task, drawn):
    inputs, t = drawn(task, 2000)
    space = t.space
    lo, hi = t.train_lengths
    for x in inputs:
        body = x[len(space.prefix) : len(x) - len(space.suffix)]
        assert x[: len(space.prefix)] == space.prefix and x[len(x) - len(space.suffix) :] == space.suffix
        assert lo <= len(body) <= hi and set(body) <= set(space.alphabet), x


@pytest.mark.parametrize("task", ["induction", "addition", "addition_hints"])
def test_tasks_without_a_space_say_so(task):
    assert tasks.get_task(config(task))[1].space is None


def test_paper_input_spaces_have_the_expected_sizes():
    sizes = {t: tasks.get_task(config(t))[1] for t in ("sort", "hist", "dyck1")}
    assert sizes["sort"].space.count(sizes["sort"].train_lengths) == sum(5**n for n in range(1, 7))  # 19,530
    assert sizes["hist"].space.count(sizes["hist"].train_lengths) == sum(6**n for n in range(1, 8))  # 335,922
    assert sizes["dyck1"].space.count(sizes["dyck1"].train_lengths) == 2**15


@pytest.mark.parametrize("task,data", [("sort", {"max_len": 5}), ("hist", {"max_len": 4, "vocab_size": 5}), ("dyck2", {"max_len": 5})])
def test_enumeration_is_every_string_once(task, data):
    _, t = tasks.get_task(config(task, **data))
    ids = enumerate_space(t.space, t.train_lengths, t.vocab, t.n_ctx)
    got = [tuple(t.vocab.decode([i for i in row if i])) for row in ids.tolist()]
    lo, hi = t.train_lengths
    want = [
        t.space.prefix + body + t.space.suffix
        for n in range(lo, hi + 1)
        for body in itertools.product(t.space.alphabet, repeat=n)
    ]
    assert sorted(got) == sorted(want) and len(got) == len(set(got))
