"""most_freq against Counter.most_common, whose ties keep first-occurrence order (a stable sort)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from tpjax.tasks import most_freq


def reference(tokens: list[str]) -> list[str]:
    body = tokens[1:]
    ranked = [value for value, _ in Counter(body).most_common()]
    return ["<pad>", *ranked] + ["<s>"] * (len(body) - len(ranked))


def test_labels_match_reference_on_thousands(drawn):
    inputs, task = drawn("most_freq", 4000)
    for x in inputs:
        y = task.label(x)
        assert y == reference(list(x))
        assert all(label in task.labels for label in y)


def test_ties_go_to_the_first_occurrence():
    assert most_freq.label(["<s>", "3", "1", "1", "3", "2"]) == ["<pad>", "3", "1", "2", "<s>", "<s>"]


def test_vocabularies_are_fixed(make_config):
    task = most_freq.make(make_config("most_freq").data)
    assert task.vocab.tokens == ("<pad>", "<s>", "0", "1", "2", "3", "4", "5")
    assert task.labels.tokens == ("<pad>", "<s>", "0", "1", "2", "3", "4", "5")


@given(st.lists(st.sampled_from("012345"), min_size=1, max_size=30))
def test_any_body(body):
    tokens = ["<s>", *body]
    assert most_freq.label(tokens) == reference(tokens)
