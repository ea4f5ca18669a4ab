"""addition and addition_hints: `<s> a + b` -> the digits of a + b (the blog's extra task).

Each operand has 1..`data.n_digits` digits, leading zeros allowed (so `01` and `1` are different
inputs). Targets: `<pad>` at `<s>`, the answer from position 1 on, then `_` up to the input's length
(scored, so the model must also say where the answer ends). `data.reversed` writes the answer least
significant digit first, the order in which carries are computed. addition_hints puts a letter naming
its significance before every digit, inputs and answer alike: the units letter is the
(n_digits+1)-th letter, so with n_digits 2 `a` is hundreds, `b` tens, `c` units and 31+6 reads
`b 3 c 1 + c 6` -> `b 3 c 7 _ _ ...`. `data.sum_label` is the format of the blog's code (the blog's text
describes digits): the whole sum is one label at position 1 (`<s> 3 1 + 6` -> `<pad> 37 _ _ _`), which
makes most scored tokens `_`. `data.vocab_size`, `data.max_len` and `data.min_len` are unused.

Length generalisation counts operand digits (induction counts tokens, two a pair): `data.length_gen = n` trains and
validates on operands of 1..n digits and tests on operands of n+1..n+10 digits (each operand's count drawn
on its own), in place of `data.n_digits`; the hint letters then run up to the test operands' length, the
same in every split. The one-label sum (`data.sum_label`) has no such split.
"""

from __future__ import annotations

import string
from collections.abc import Sequence

import ml_collections
import numpy as np

from tpjax.tasks import spec
from tpjax.tasks.vocab import BOS, PAD, make_vocab

DIGITS = tuple("0123456789")
PLUS = "+"
FILL = "_"  # target after the answer


def hint_letter(n_digits: int, significance: int) -> str:
    """Letter for 10**significance: units get the (n_digits+1)-th letter, each power of ten one earlier."""
    return string.ascii_lowercase[n_digits - significance]


def sample(rng: np.random.Generator, n: int, lengths: spec.Lengths, n_digits: int,
           hints: bool) -> list[spec.Tokens]:
    """n inputs `<s> a + b`, each operand's digit count uniform in `lengths`, digits uniform."""
    lo, hi = lengths
    lens = rng.integers(lo, hi + 1, size=(n, 2)).tolist()
    digits = rng.integers(0, 10, size=(n, 2, hi)).tolist()
    out = []
    for (la, lb), (da, db) in zip(lens, digits):
        seq = [BOS]
        for k, (length, ds) in enumerate(((la, da), (lb, db))):
            if k:
                seq.append(PLUS)
            for j in range(length):
                if hints:
                    seq.append(hint_letter(n_digits, length - 1 - j))
                seq.append(DIGITS[ds[j]])
        out.append(tuple(seq))
    return out


def _answer(tokens: Sequence[str], hints: bool) -> tuple[int, int]:
    """(a + b, index of the units letter or -1) from a whole input."""
    kept = [t for t in tokens[1:] if not (hints and t.isalpha())]
    if not tokens or tokens[0] != BOS or kept.count(PLUS) != 1:
        raise ValueError(f"expected '<s> digits + digits', got {list(tokens)!r}")
    split = kept.index(PLUS)
    a, b = kept[:split], kept[split + 1:]
    if not a or not b or any(t not in DIGITS for t in a + b):
        raise ValueError(f"not an addition input: {list(tokens)!r}")
    units = string.ascii_lowercase.find(tokens[-2]) if hints else -1
    return int("".join(a)) + int("".join(b)), units


def _target(tokens: Sequence[str], answer: list[str]) -> list[str]:
    room = len(tokens) - 1
    if len(answer) > room:
        raise ValueError(f"answer {answer} does not fit the {room} positions after <s> of {list(tokens)!r}")
    return [PAD, *answer, *([FILL] * (room - len(answer)))]


def label(tokens: Sequence[str], reversed: bool = False) -> list[str]:  # noqa: A002 (config name)
    """addition: `<pad>`, the digits of a + b (MSB first, or LSB first when reversed), then `_`."""
    total, _ = _answer(tokens, hints=False)
    digits = list(str(total))
    return _target(tokens, digits[::-1] if reversed else digits)


def label_hints(tokens: Sequence[str], reversed: bool = False) -> list[str]:  # noqa: A002
    """addition_hints: like `label`, each answer digit preceded by its significance letter."""
    total, units = _answer(tokens, hints=True)
    digits = str(total)
    if units < len(digits) - 1:
        raise ValueError(f"no hint letter for the {len(digits)}-digit answer of {list(tokens)!r}")
    pairs = [(string.ascii_lowercase[units - (len(digits) - 1 - j)], d) for j, d in enumerate(digits)]
    if reversed:
        pairs.reverse()
    return _target(tokens, [t for pair in pairs for t in pair])


def label_sum(tokens: Sequence[str]) -> list[str]:
    """addition with data.sum_label: `<pad>`, a + b as one label, then `_`."""
    total, _ = _answer(tokens, hints=False)
    return _target(tokens, [str(total)])


def _make(task: str, data: ml_collections.ConfigDict, hints: bool) -> spec.Task:
    length_gen = data.length_gen
    sum_label = bool(data.get("sum_label", False))  # absent from configs stored before the option
    if length_gen and sum_label:
        raise ValueError(
            f"config.data.sum_label has no length-generalisation split: its labels are the sums themselves, one "
            f"per value up to {length_gen + spec.LENGTH_GEN_SPAN} digits; set config.data.length_gen to 0"
        )
    n_digits = length_gen + spec.LENGTH_GEN_SPAN if length_gen else data.n_digits  # the longest operand of any split
    if sum_label and hints:
        raise ValueError(f"config.data.sum_label is only for addition, not {task}: its answer is letter-digit pairs")
    if sum_label and data.reversed:
        raise ValueError("config.data.sum_label and config.data.reversed exclude each other: a one-label sum has no digit order")
    if hints and n_digits + 1 > len(string.ascii_lowercase):
        too_large = f"config.data.length_gen={length_gen}" if length_gen else f"config.data.n_digits={n_digits}"
        raise ValueError(
            f"{too_large} is too large for {task}: operands of up to {n_digits} digits need {n_digits + 1} "
            f"significance letters, the alphabet has {len(string.ascii_lowercase)}"
        )
    width = 2 if hints else 1  # tokens per digit
    for la in range(1, n_digits + 1):
        for lb in range(1, n_digits + 1):
            need, room = width * (max(la, lb) + 1), width * (la + lb) + 1
            if need > room:  # cannot happen for 1 <= la, lb; kept so a format change fails loudly
                raise ValueError(f"{task}: a {need}-token answer does not fit its {room}-position input")
    reversed_ = bool(data.reversed)
    input_letters = [hint_letter(n_digits, k) for k in range(n_digits - 1, -1, -1)] if hints else []
    label_letters = [hint_letter(n_digits, k) for k in range(n_digits, -1, -1)] if hints else []
    if sum_label:
        answers = tuple(str(v) for v in range(2 * (10**n_digits - 1) + 1))
        labeller = label_sum
    else:
        answers = DIGITS + tuple(label_letters)
        lab = label_hints if hints else label
        labeller = lambda tokens: lab(tokens, reversed=reversed_)  # noqa: E731
    return spec.Task(
        vocab=make_vocab(f"input vocabulary of {task}", (BOS,), DIGITS, (PLUS,), input_letters),
        labels=make_vocab(f"label vocabulary of {task}", answers, (FILL,)),
        train_lengths=(1, length_gen) if length_gen else (1, n_digits),
        test_lengths=(length_gen + 1, n_digits) if length_gen else None,
        sample=lambda rng, n, lengths: sample(rng, n, lengths, n_digits, hints),
        label=labeller,
        input_len=lambda digits: 2 + 2 * width * digits,
    )


def make(data: ml_collections.ConfigDict) -> spec.Task:
    """addition for the registry: plain digits; ValueError for options that do not fit the format."""
    return _make("addition", data, hints=False)


def make_hints(data: ml_collections.ConfigDict) -> spec.Task:
    """addition_hints for the registry: every digit after a letter naming its significance."""
    return _make("addition_hints", data, hints=True)
