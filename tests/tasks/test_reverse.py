"""reverse against an independent definition: the body read back to front by index arithmetic."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpjax.tasks import reverse


def reference(tokens: list[str]) -> list[str]:
    text = tokens[1:-1]
    n = len(text)
    return ["<pad>"] + [text[n - 1 - i] for i in range(n)] + ["<pad>"]


def test_labels_match_reference_on_thousands(drawn):
    inputs, task = drawn("reverse", 4000)
    for x in inputs:
        assert task.label(x) == reference(list(x))


def test_inputs_follow_the_size_conventions(drawn):
    inputs, task = drawn("reverse", 4000)  # vocab 8, max_len 8: 1..6 values from 0..4
    assert {len(x) - 2 for x in inputs} == set(range(1, 7))
    assert {v for x in inputs for v in x[1:-1]} == set("01234")
    assert all(x[0] == "<s>" and x[-1] == "</s>" for x in inputs)
    assert max(len(x) for x in inputs) == task.n_ctx == 8


def test_vocabularies_are_fixed(make_config):
    task = reverse.make(make_config("reverse").data)
    assert task.vocab.tokens == ("<pad>", "<s>", "</s>", "0", "1", "2", "3", "4")
    assert task.labels.tokens == ("<pad>", "0", "1", "2", "3", "4")
    assert reverse.make(make_config("reverse", vocab_size=13).data).vocab.tokens[-1] == "9"


@given(st.lists(st.sampled_from("0123456789"), min_size=1, max_size=40))
def test_any_body(body):
    tokens = ["<s>", *body, "</s>"]
    assert reverse.label(tokens) == reference(tokens)


def test_malformed_input_is_refused():
    with pytest.raises(ValueError, match="expected"):
        reverse.label(["1", "2"])

