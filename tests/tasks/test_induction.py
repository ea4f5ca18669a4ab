"""induction against an independent definition: look up the first occurrence with list.index."""

from __future__ import annotations

import pytest

from tpjax import tasks
from tpjax.tasks import induction


def reference(tokens: list[str]) -> list[str]:
    out = []
    for i, tok in enumerate(tokens):
        if tok in {"a", "b", "c", "d"}:
            first = tokens.index(tok)
            out.append(tokens[first + 1] if first < i else "<unk>")
        else:
            out.append("<pad>")
    return out


def test_labels_match_reference_on_thousands(drawn):
    inputs, task = drawn("induction", 4000, max_len=9, min_len=1)
    for x in inputs:
        assert task.label(x) == reference(list(x))


def test_inputs_are_pairs_with_a_lead_number_or_a_query(drawn):
    inputs, task = drawn("induction", 4000, max_len=9, min_len=1)
    lead = 0
    for x in inputs:
        assert x[0] == "<s>" and len(x) % 2 == 0
        pairs = x[2:] if x[1].isdigit() else x[1:-1]
        lead += x[1].isdigit()
        assert x[-1].isalpha() != x[1].isdigit()  # exactly one of the two extras
        letters, numbers = pairs[0::2], pairs[1::2]
        assert set(letters) <= set("abcd") and set(numbers) <= set("0123")
        assert len({(a, n) for a, n in zip(letters, numbers)}) == len(set(letters))  # one map per example
    assert {len(x) for x in inputs} == {4, 6, 8, 10}  # 1..4 pairs
    assert 0.45 < lead / len(inputs) < 0.55
    assert task.n_ctx == 10


def test_the_original_script_sizes_give_four_pairs(make_config):
    t = induction.make(make_config("induction", max_len=9, min_len=9).data)
    assert t.train_lengths == (4, 4) and t.n_ctx == 10


def test_vocabularies_and_causality(make_config):
    t = induction.make(make_config("induction").data)
    assert t.vocab.tokens == ("<pad>", "<s>", "a", "b", "c", "d", "0", "1", "2", "3")
    assert t.labels.tokens == ("<pad>", "<unk>", "0", "1", "2", "3")
    assert tasks.TASKS["induction"].causal


def test_length_gen_counts_pairs(make_config):
    t = induction.make(make_config("induction", length_gen=10).data)
    assert (t.train_lengths, t.test_lengths, t.n_ctx) == ((1, 5), (6, 10), 22)


@pytest.mark.parametrize("vocab_size", [3, 9, 24])
def test_unusable_vocab_sizes_are_refused(make_config, vocab_size):
    with pytest.raises(ValueError, match="vocab_size"):
        induction.make(make_config("induction", vocab_size=vocab_size).data)
