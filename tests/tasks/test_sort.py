"""sort against an independent definition: a counting sort over the value range."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tpjax.tasks import sort


def reference(tokens: list[str], n_values: int) -> list[str]:
    body = tokens[1:-1]
    out = []
    for v in range(n_values):
        out += [str(v)] * body.count(str(v))
    return ["<pad>", *out, "<pad>"]


def test_labels_match_reference_on_thousands(drawn):
    inputs, task = drawn("sort", 4000)
    for x in inputs:
        assert task.label(x) == reference(list(x), 5)


def test_large_vocabulary_sorts_numerically(drawn):
    inputs, task = drawn("sort", 2000, vocab_size=15, max_len=12)  # values 0..11
    assert "11" in task.vocab
    for x in inputs:
        assert task.label(x) == reference(list(x), 12)


def test_vocabularies_are_fixed(make_config):
    task = sort.make(make_config("sort").data)
    assert task.vocab.tokens == ("<pad>", "<s>", "</s>", "0", "1", "2", "3", "4")
    assert task.labels.tokens == ("<pad>", "0", "1", "2", "3", "4")


@given(st.lists(st.integers(0, 19), min_size=1, max_size=30))
def test_any_body(values):
    tokens = ["<s>", *map(str, values), "</s>"]
    assert sort.label(tokens) == reference(tokens, 20)
