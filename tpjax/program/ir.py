"""The program intermediate representation: what a snapped Transformer Program computes, by name.

A `Program` is a list of operations over named variables, in the order they run. Categorical variables hold
small integers (token ids, positions, table outputs); numerical ones hold integer counts. Every table is dense
over the raw value range, so that a value never indexes out of range, and carries the `domain` of values
that can actually reach it: the emitter writes expressions that are exact on the domain only.

The interpreter (`interpret.py`) and the emitted module (`emit.py`) both read this form, so the snapped model,
the interpreter and the emitted program agreeing is a check of the extraction as well as of the emitter.
"""

from __future__ import annotations

import dataclasses
from typing import Union

import numpy as np

# A predicate's "matches nothing" marker in a table (no variable takes a negative value).
NO_MATCH = -1


@dataclasses.dataclass(frozen=True)
class Var:
    """A named variable and the values it can take on real (non-padding) positions."""

    name: str
    kind: str  # "cat" or "num"
    domain: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Predicate:
    """Which key value a query value matches, in its simplest exact form on the query's domain.

    kind "never": no key matches; "const": keys equal to `value`; "offset": keys equal to query + `value`;
    "table": keys equal to `table[query]` (NO_MATCH where none). A const or offset form may carry a few
    `exceptions` (query value, key value or NO_MATCH) where the rule does not hold, e.g. "same token, but a
    query `<s>` matches nothing".
    """

    kind: str
    value: int = 0
    table: tuple[int, ...] = ()
    exceptions: tuple[tuple[int, int], ...] = ()

    def wanted(self, query: np.ndarray) -> np.ndarray:
        """The key value each query value matches (NO_MATCH for none), same shape as `query`."""
        if self.kind == "never":
            return np.full_like(query, NO_MATCH)
        if self.kind == "table":
            return np.asarray(self.table, query.dtype)[query]
        out = np.full_like(query, self.value) if self.kind == "const" else query + self.value
        for q, w in self.exceptions:
            out = np.where(query == q, w, out)
        return out

    @property
    def reads_query(self) -> bool:
        return self.kind in ("offset", "table") or bool(self.exceptions)


@dataclasses.dataclass(frozen=True)
class Select:
    """An attention head: categorical (the value at the closest match, BOS when none) or numerical (a sum)."""

    name: str
    kind: str  # "cat" or "num"
    layer: int
    index: int
    query: str
    key: str
    value: str
    predicate: Predicate

    @property
    def inputs(self) -> tuple[str, ...]:
        if self.predicate.kind == "never":
            return (self.value,) if self.kind == "cat" else ()
        return ((self.query,) if self.predicate.reads_query else ()) + (self.key, self.value)


@dataclasses.dataclass(frozen=True, eq=False)  # its table is an array: compared by identity, like Program
class Lookup:
    """An MLP, snapped: a table over the values of the inputs it depends on (none: a constant).

    `table` is dense with one axis per input, of length `d_var` (categorical) or `clip + 1` (numerical,
    inputs clipped to [0, clip] first, as the model does).
    """

    name: str
    kind: str  # "cat" or "num": the kind of its inputs; the output is categorical
    layer: int
    index: int
    inputs: tuple[str, ...]
    table: np.ndarray
    clip: int = 0


Op = Union[Select, Lookup]


@dataclasses.dataclass(frozen=True, eq=False)
class Classifier:
    """Fixed-point logits: bias + one row per categorical value + weight times each numerical value.

    Only the classes the model may predict are kept, in their original order, so the first maximum is
    the model's choice.
    """

    classes: tuple[int, ...]  # label ids, in order
    bias: np.ndarray  # (C,) int64
    cat: dict[str, np.ndarray]  # name -> (d_var, C) int64
    num: dict[str, np.ndarray]  # name -> (C,) int64


@dataclasses.dataclass(frozen=True, eq=False)
class Program:
    """A whole extracted program and where it came from."""

    vocab: tuple[str, ...]
    labels: tuple[str, ...]
    n_ctx: int
    causal: bool
    d_var: int
    variables: dict[str, Var]  # every live variable, inputs first
    ops: tuple[Op, ...]
    classifier: Classifier
    meta: dict = dataclasses.field(default_factory=dict)  # task, seed, config summary, source
