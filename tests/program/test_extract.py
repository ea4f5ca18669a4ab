"""The simplifications extraction makes, each on a case where the answer is known."""

from __future__ import annotations

import numpy as np

from tpjax.program import emit
from tpjax.program.extract import prune, reduce_table, simplify_predicate
from tpjax.program.ir import NO_MATCH, Classifier, Lookup, Predicate, Select


def test_a_shifted_table_is_an_offset_even_where_the_shift_leaves_the_domain():
    table = np.array([1, 2, 3, 4, 0, 5])  # q -> q + 1 on positions 0..4; 4 -> 0 is out of reach anyway
    assert simplify_predicate(table, (0, 1, 2, 3), (0, 1, 2, 3, 4)) == Predicate("offset", value=1)
    # 4 + 1 = 5 is not a key value, so "keys == 4 + 1" matches nothing where the table's 4 -> 0 matches: an exception
    assert simplify_predicate(table, (0, 1, 2, 3, 4), (0, 1, 2, 3, 4)) == Predicate("offset", 1, exceptions=((4, 0),))
    assert simplify_predicate(np.array([1, 2, 3, 4, 9, 9]), (0, 1, 2, 3, 4), (0, 1, 2, 3, 4)) == Predicate("offset", 1)


def test_a_rule_with_few_exceptions_and_one_with_too_many():
    same_but_bos = np.array([0, 5, 2, 3, 4, 5, 6, 7])  # query 1 (<s>) wants 5: not the same token
    assert simplify_predicate(same_but_bos, tuple(range(1, 8)), tuple(range(1, 8))) == Predicate(
        "offset", 0, exceptions=((1, 5),))
    two_off = np.array([0, 5, 6, 3, 4, 5, 6, 7])
    assert simplify_predicate(two_off, tuple(range(1, 8)), tuple(range(1, 8))).kind == "table"  # 2 > 7 // 4


def test_constant_never_and_table_forms():
    assert simplify_predicate(np.array([3, 3, 3, 7]), (0, 1, 2), (1, 3)) == Predicate("const", value=3)
    assert simplify_predicate(np.array([5, 6, 5, 6]), (0, 1, 2, 3), (0, 1, 2)) == Predicate("never")
    table = simplify_predicate(np.array([2, 0, 1, 6]), (0, 1, 2, 3), (0, 1, 2))
    assert table.kind == "table" and table.table == (2, 0, 1, NO_MATCH)


def test_a_table_keeps_only_the_inputs_it_depends_on():
    full = np.add.outer(np.arange(4) % 2, np.zeros(4, int))  # depends on the first input only
    table, kept = reduce_table(full, [(0, 1, 2, 3), (0, 1, 2, 3)])
    assert kept == [0] and table.tolist() == [0, 1, 0, 1]
    # the second input matters only outside its domain: still irrelevant
    full[:, 3] = 9
    table, kept = reduce_table(full, [(0, 1, 2, 3), (0, 1, 2)])
    assert kept == [0]
    constant, kept = reduce_table(np.full((3, 3), 2), [(0, 1, 2), (0, 1, 2)])
    assert kept == [] and int(constant) == 2


def test_pruning_drops_what_never_reaches_the_classifier():
    head = lambda name, q, k, v: Select(name, "cat", 0, 0, q, k, v, Predicate("offset", 1))  # noqa: E731
    ops = [
        head("a", "positions", "positions", "tokens"),
        head("b", "tokens", "tokens", "positions"),  # read by nobody
        Lookup("m", "cat", 0, 0, ("a",), np.arange(8)),
        head("c", "m", "positions", "a"),
    ]
    classifier = Classifier((1, 2), np.zeros(2, np.int64), {"c": np.zeros((8, 2), np.int64)}, {})
    assert [op.name for op in prune(ops, classifier)] == ["a", "m", "c"]


def test_a_never_matching_numerical_head_reads_no_variable():
    """Its value variable may be pruned (nothing depends on it), so the emitted function must not read it."""
    op = Select("num_attn_1_0", "num", 1, 0, "tokens", "positions", "num_attn_0_3", Predicate("never"))
    assert op.inputs == ()
    code = emit._select_code(op, program=None)
    assert "num_attn_0_3" not in code and "def compute_num_attn_1_0(tokens)" in code and "np.zeros_like(tokens)" in code
    assert emit._select_args(op) == ["tokens"]
