"""Vocab: fixed ids with <pad> = 0, round trips, and errors that name the bad token."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpjax.tasks.vocab import BOS, EOS, PAD, UNK, Vocab, make_vocab

TOKENS = st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=20, unique=True)


def test_specials_are_the_original_strings():
    assert (PAD, BOS, EOS, UNK) == ("<pad>", "<s>", "</s>", "<unk>")


def test_make_vocab_keeps_order_with_pad_first():
    v = make_vocab("v", (BOS,), ("b", "a"))
    assert v.tokens == (PAD, BOS, "b", "a")
    assert [v.id(t) for t in v.tokens] == [0, 1, 2, 3]
    assert len(v) == 4 and "a" in v and "z" not in v and list(v) == list(v.tokens)


@given(TOKENS.filter(lambda ts: PAD not in ts), st.data())
def test_encode_decode_round_trip(tokens, data):
    v = make_vocab("v", tokens)
    seq = data.draw(st.lists(st.sampled_from(v.tokens), max_size=30))
    ids = v.encode(seq)
    assert all(0 <= i < len(v) for i in ids)
    assert v.decode(ids) == seq


def test_unknown_token_error_names_the_token():
    v = make_vocab("input vocabulary of sort", ("0", "1"))
    with pytest.raises(ValueError, match=r"unknown token '7'.*input vocabulary of sort"):
        v.encode(["0", "7"])
    with pytest.raises(ValueError, match="unknown token"):
        v.id("x")
    with pytest.raises(ValueError, match=r"unknown token '7'"):  # a one-shot iterable is read once, not twice
        v.encode(t for t in ["0", "1", "7", "0"])
    assert v.encode(t for t in ["1", "0"]) == [v.id("1"), v.id("0")]


def test_decode_rejects_ids_outside():
    v = make_vocab("v", ("a",))
    with pytest.raises(ValueError, match="id 5 is outside"):
        v.decode([1, 5])
    with pytest.raises(ValueError, match="outside"):
        v.decode([-1])


def test_bad_vocabularies_are_refused():
    with pytest.raises(ValueError, match="must start with"):
        Vocab(("a", PAD))
    with pytest.raises(ValueError, match="repeats"):
        Vocab((PAD, "a", "a"))


def test_equal_tokens_give_equal_vocabs():
    assert make_vocab("x", ("a",)) == make_vocab("x", ["a"])
