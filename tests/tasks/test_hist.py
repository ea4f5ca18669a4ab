"""hist and double_hist against independent definitions built on str.count and brute force."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpjax.tasks import hist


def reference_hist(tokens: list[str]) -> list[str]:
    text = "".join(tokens[1:])  # values are single characters at these sizes
    return ["<pad>"] + [str(text.count(c)) for c in text]


def reference_double(tokens: list[str]) -> list[str]:
    text = "".join(tokens[1:])
    out = ["<pad>"]
    for c in text:
        out.append(str(len({d for d in text if text.count(d) == text.count(c)})))
    return out


@pytest.mark.parametrize("task,reference", [("hist", reference_hist), ("double_hist", reference_double)])
def test_labels_match_reference_on_thousands(drawn, task, reference):
    inputs, t = drawn(task, 4000)
    for x in inputs:
        y = t.label(x)
        assert y == reference(list(x))
        assert all(label in t.labels for label in y)


def test_inputs_follow_the_size_conventions(drawn):
    inputs, task = drawn("hist", 4000)  # vocab 8, max_len 8: 1..7 values from 0..5
    assert {len(x) - 1 for x in inputs} == set(range(1, 8))
    assert {v for x in inputs for v in x[1:]} == set("012345")
    assert task.n_ctx == 8


def test_vocabularies_are_fixed(make_config):
    h = hist.make(make_config("hist").data)
    d = hist.make_double(make_config("double_hist").data)
    assert h.vocab.tokens == d.vocab.tokens == ("<pad>", "<s>", "0", "1", "2", "3", "4", "5")
    assert h.labels.tokens == ("<pad>", "1", "2", "3", "4", "5", "6", "7")
    assert d.labels.tokens == ("<pad>", "1", "2", "3", "4", "5", "6")


def test_length_gen_labels_cover_the_test_lengths(make_config):
    t = hist.make(make_config("hist", length_gen=10).data)
    assert t.labels.tokens[-1] == "20" and t.test_lengths == (11, 20)


@given(st.lists(st.sampled_from("0123456789"), min_size=1, max_size=25))
def test_any_body(body):
    tokens = ["<s>", *body]
    assert hist.label(tokens) == reference_hist(tokens)
    assert hist.label_double(tokens) == reference_double(tokens)
