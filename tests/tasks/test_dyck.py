"""dyck1/dyck2 against an independent definition: reduce each prefix by deleting `()`/`{}` pairs."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpjax import tasks
from tpjax.cli import load_config_file
from tpjax.tasks import dyck

CONFIGS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "configs")

MATCHED = re.compile(r"\(\)|\{\}")


def reduce(text: str) -> str:
    while True:
        shorter = MATCHED.sub("", text)
        if shorter == text:
            return text
        text = shorter


def reference(tokens: list[str]) -> list[str]:
    text = "".join(tokens[1:])
    out = ["<pad>"]
    for i in range(1, len(text) + 1):
        rest = reduce(text[:i])
        out.append("T" if rest == "" else "F" if re.search(r"[)}]", rest) else "P")
    return out


@pytest.mark.parametrize("task", ["dyck1", "dyck2"])
def test_labels_match_reference_on_thousands(drawn, task):
    inputs, t = drawn(task, 4000)
    for x in inputs:
        assert t.label(x) == reference(list(x))


@pytest.mark.parametrize("task,chars,at_least", [("dyck1", "()", 0.55), ("dyck2", "(){}", 0.4)])
def test_inputs_mix_balanced_starts_with_uniform_strings(drawn, task, chars, at_least):
    inputs, t = drawn(task, 4000)
    assert {len(x) for x in inputs} == {16} and t.n_ctx == 16
    assert {c for x in inputs for c in x[1:]} == set(chars)
    # uniform strings alone have a balanced prefix in about 40% (dyck1) / 15% (dyck2) of draws
    with_t = sum("T" in t.label(x) for x in inputs) / len(inputs)
    assert with_t > at_least


def test_f_is_absorbing():
    assert dyck.label(["<s>", "(", ")", ")", "(", ")"]) == ["<pad>", "P", "T", "F", "F", "F"]
    assert dyck.label(["<s>", "{", ")", "(", ")"]) == ["<pad>", "P", "F", "F", "F"]


def test_vocabularies_and_causality(make_config):
    d1, d2 = dyck.make_dyck1(make_config("dyck1").data), dyck.make_dyck2(make_config("dyck2").data)
    assert d1.vocab.tokens == ("<pad>", "<s>", "(", ")")
    assert d2.vocab.tokens == ("<pad>", "<s>", "(", ")", "{", "}")
    assert d1.labels.tokens == d2.labels.tokens == ("<pad>", "T", "F", "P")
    assert tasks.TASKS["dyck1"].causal and tasks.TASKS["dyck2"].causal


def test_length_gen_trains_on_n_and_tests_on_2n(make_config):
    t = dyck.make_dyck2(make_config("dyck2", length_gen=20).data)
    assert (t.train_lengths, t.test_lengths, t.n_ctx) == ((20, 20), (40, 40), 41)


@pytest.mark.parametrize("task", ["dyck1", "dyck2"])
def test_length_gen_balanced_starts_fill_both_lengths(task):
    """With the shipped config (min_len 16, for 15 brackets), half the draws at n = 20 and at 2n = 40 brackets
    are whole balanced strings (before deduplication), as at 15: the balanced starts grow with the length
    rather than leaving most of a long string to uniform brackets, which are almost never balanced."""
    c = load_config_file(os.path.join(CONFIGS, f"{task}.py"))
    c.data.length_gen = 20
    _, t = tasks.get_task(c)
    for lengths in (t.train_lengths, t.test_lengths):
        drawn = t.sample(np.random.default_rng(0), 4000, lengths)
        assert {len(x) for x in drawn} == {lengths[0] + 1}
        balanced = sum(t.label(x)[-1] == "T" for x in drawn) / len(drawn)
        assert 0.46 < balanced < 0.55, (lengths, balanced)


@given(st.text(alphabet="(){}", min_size=1, max_size=30))
def test_any_string(text):
    tokens = ["<s>", *text]
    assert dyck.label(tokens) == reference(tokens)


def test_non_brackets_are_refused():
    with pytest.raises(ValueError, match="not a bracket"):
        dyck.label(["<s>", "(", "x"])
