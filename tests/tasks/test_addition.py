"""addition(+hints) against an independent definition: int arithmetic and regexes on the joined string."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpjax import tasks
from tpjax.tasks import addition


def reference(tokens: list[str], reversed_: bool = False, hints: bool = False,
              n_digits: int = 2) -> list[str]:
    text = "".join(tokens[1:])
    if hints:
        units = string.ascii_lowercase[n_digits]
        for operand in re.fullmatch(r"([a-z0-9]+)\+([a-z0-9]+)", text).groups():
            letters = operand[0::2]
            assert letters == string.ascii_lowercase[n_digits - len(letters) + 1:n_digits + 1]
            assert letters[-1] == units
        text = re.sub("[a-z]", "", text)
    a, b = text.split("+")
    total = str(int(a) + int(b))
    if hints:
        groups = [string.ascii_lowercase[n_digits - (len(total) - 1 - j)] + d for j, d in enumerate(total)]
        answer = "".join(groups[::-1] if reversed_ else groups)
    else:
        answer = total[::-1] if reversed_ else total
    return ["<pad>", *answer] + ["_"] * (len(tokens) - 1 - len(answer))


@pytest.mark.parametrize("hints", [False, True])
@pytest.mark.parametrize("reversed_", [False, True])
def test_labels_match_reference_on_thousands(drawn, hints, reversed_):
    inputs, task = drawn("addition_hints" if hints else "addition", 3000, reversed=reversed_)
    for x in inputs:
        y = task.label(x)
        assert y == reference(list(x), reversed_, hints)
        assert all(label in task.labels for label in y)


def test_three_digit_operands(drawn):
    inputs, task = drawn("addition_hints", 2000, n_digits=3)
    assert task.n_ctx == 14
    for x in inputs:
        assert task.label(x) == reference(list(x), hints=True, n_digits=3)


def test_the_documented_examples():
    assert addition.label_hints("<s> b 3 c 1 + c 6".split()) == "<pad> b 3 c 7 _ _ _".split()
    assert addition.label("<s> 9 9 + 0 1".split()) == "<pad> 1 0 0 _ _".split()
    assert addition.label("<s> 9 9 + 0 1".split(), reversed=True) == "<pad> 0 0 1 _ _".split()
    assert addition.label_hints("<s> b 9 c 9 + c 1".split(), reversed=True) == \
        "<pad> c 0 b 0 a 1 _".split()


def test_leading_zeros_make_distinct_inputs(drawn):
    inputs, _ = drawn("addition", 20000)
    assert ("<s>", "0", "1", "+", "2") in set(inputs) and ("<s>", "1", "+", "2") in set(inputs)


def test_vocabularies_are_fixed(make_config):
    plain = addition.make(make_config("addition").data)
    hints = addition.make_hints(make_config("addition_hints").data)
    digits = tuple("0123456789")
    assert plain.vocab.tokens == ("<pad>", "<s>", *digits, "+")
    assert plain.labels.tokens == ("<pad>", *digits, "_")
    assert hints.vocab.tokens == ("<pad>", "<s>", *digits, "+", "b", "c")
    assert hints.labels.tokens == ("<pad>", *digits, "a", "b", "c", "_")
    assert (plain.n_ctx, hints.n_ctx) == (6, 10)


def _operand_digits(x) -> list[int]:
    """Digit counts of the two operands of an input, letters aside."""
    return [len(re.sub("[a-z]", "", part)) for part in "".join(x[1:]).split("+")]


@pytest.mark.parametrize("task", ["addition", "addition_hints"])
def test_length_generalisation_trains_on_short_operands_and_tests_on_longer_ones(make_config, task):
    """length_gen = n counts operand digits: train and val 1..n, test n+1..n+10, labels right at every length."""
    c = make_config(task, length_gen=3, reversed=True)
    c.data.size = 1200
    hints = task == "addition_hints"
    parts = {split: tasks.examples(c, split) for split in tasks.SPLITS}
    for split, pairs in parts.items():
        longest = [max(_operand_digits(x)) for x, _ in pairs]
        shortest = [min(_operand_digits(x)) for x, _ in pairs]
        if split == "test":
            assert min(shortest) == 4 and max(longest) == 13
        else:
            assert min(shortest) == 1 and max(longest) == 3
        for x, y in pairs:
            assert y == reference(list(x), reversed_=True, hints=hints, n_digits=13)
    _, t = tasks.get_task(c)
    assert t.n_ctx == 2 + (2 if hints else 1) * 26  # the longest test input: two 13-digit operands
    assert not {tuple(x) for x, _ in parts["train"]} & {tuple(x) for x, _ in parts["test"]}


def test_length_generalisation_limits_are_named(make_config):
    with pytest.raises(ValueError, match="sum_label has no length-generalisation split"):
        addition.make(make_config("addition", length_gen=3, sum_label=True).data)
    with pytest.raises(ValueError, match=r"length_gen=16 is too large for addition_hints: operands of up to 26 digits"):
        addition.make_hints(make_config("addition_hints", length_gen=16).data)
    addition.make_hints(make_config("addition_hints", length_gen=15).data)  # 25 digits, 26 letters


def test_answers_without_a_hint_letter_are_refused():
    with pytest.raises(ValueError, match="no hint letter"):
        addition.label_hints("<s> a 9 + a 9".split())


@given(st.text("0123456789", min_size=1, max_size=6), st.text("0123456789", min_size=1, max_size=6))
def test_any_operands(a, b):
    tokens = ["<s>", *a, "+", *b]
    assert addition.label(tokens) == reference(tokens)


def test_sum_label_is_the_whole_sum_in_one_label(drawn):
    """The blog code's format: one label a + b at position 1, `_` after it."""
    inputs, task = drawn("addition", 3000, sum_label=True)
    for x in inputs:
        text = "".join(x[1:])
        a, b = text.split("+")
        assert task.label(x) == ["<pad>", str(int(a) + int(b))] + ["_"] * (len(x) - 2)
    assert task.labels.tokens == ("<pad>", *(str(v) for v in range(199)), "_")
    assert addition.label_sum("<s> 9 9 + 9 9".split()) == "<pad> 198 _ _ _ _".split()


@pytest.mark.parametrize(
    "task, data, message",
    [
        ("addition_hints", {"sum_label": True}, "sum_label is only for addition"),
        ("addition", {"sum_label": True, "reversed": True}, "exclude each other"),
    ],
)
def test_sum_label_refuses_other_formats(make_config, task, data, message):
    make = addition.make_hints if task == "addition_hints" else addition.make
    with pytest.raises(ValueError, match=message):
        make(make_config(task, **data).data)
