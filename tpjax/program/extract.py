"""From one seed's snapped integer tables (`tpjax.model.discrete`) to a pruned, simplified `Program`.

Three passes: a forward pass bounds the values each variable can take on real positions; each operation is
rewritten in the simplest form that is exact on those values (a predicate "key == query + 1" instead of a
table, an MLP table over the inputs it depends on); a backward pass keeps only what reaches the classifier.
Nothing is approximated: every rewrite is checked value by value.
"""

from __future__ import annotations

import numpy as np

from tpjax.model.transformer_program import ProgramSpec, class_mask
from tpjax.program.ir import NO_MATCH, Classifier, Lookup, Op, Predicate, Program, Select, Var


def variable_names(spec: ProgramSpec) -> tuple[list[str], list[str]]:
    """Names of all categorical and numerical variables, in the model's order."""
    cat, num = ["tokens", "positions"], ["ones"]
    for layer in range(spec.n_layers):
        cat += [f"cat_attn_{layer}_{h}" for h in range(spec.n_heads_cat)]
        cat += [f"cat_mlp_{layer}_{m}" for m in range(spec.n_mlps_cat)]
        cat += [f"num_mlp_{layer}_{m}" for m in range(spec.n_mlps_num)]
        num += [f"num_attn_{layer}_{h}" for h in range(spec.n_heads_num)]
    return cat, num


MAX_EXCEPTIONS = 2  # a rule with more exceptions than this (or than a quarter of its domain) is a table


def simplify_predicate(table: np.ndarray, query_domain: tuple[int, ...], key_domain: tuple[int, ...]) -> Predicate:
    """The simplest predicate that agrees with `table` (query value -> key value) on the query's domain.

    Candidates are "never", a constant key value and a key at a fixed offset from the query, each with at
    most MAX_EXCEPTIONS query values (and a quarter of the domain) where it does not hold; the one with the
    fewest exceptions wins, and a table is the fallback.
    """
    keys = set(key_domain)
    wanted = {q: int(table[q]) if int(table[q]) in keys else NO_MATCH for q in query_domain}
    if all(w == NO_MATCH for w in wanted.values()):
        return Predicate("never")
    rules = {("const", w) for w in wanted.values() if w != NO_MATCH}
    rules |= {("offset", w - q) for q, w in wanted.items() if w != NO_MATCH}
    best = None
    for kind, c in sorted(rules):
        rule = lambda q: c if kind == "const" else (q + c if q + c in keys else NO_MATCH)  # noqa: E731
        exceptions = tuple((q, w) for q, w in wanted.items() if w != rule(q))
        allowed = min(MAX_EXCEPTIONS, len(query_domain) // 4)
        if len(exceptions) <= allowed and (best is None or len(exceptions) < len(best.exceptions)):
            best = Predicate(kind, value=c, exceptions=exceptions)
    if best is not None:
        return best
    dense = np.full(len(table), NO_MATCH, np.int64)
    for q, w in wanted.items():
        dense[q] = w
    return Predicate("table", table=tuple(int(x) for x in dense))


def reduce_table(table: np.ndarray, domains: list[tuple[int, ...]]) -> tuple[np.ndarray, list[int]]:
    """Drop the inputs the table does not depend on over `domains`: (smaller table, kept input axes)."""
    kept = list(range(table.ndim))
    for axis in reversed(range(table.ndim)):
        pos = kept.index(axis)
        on_domain = table[np.ix_(*[np.asarray(domains[a]) for a in kept])]
        if np.all(on_domain == np.take(on_domain, [0], axis=pos)):
            table = np.take(table, domains[axis][0], axis=pos)
            kept.remove(axis)
    return table, kept


def table_domain(table: np.ndarray, domains: list[tuple[int, ...]]) -> tuple[int, ...]:
    """The values a table outputs over the product of its inputs' domains."""
    if table.ndim == 0:
        return (int(table),)
    return tuple(sorted({int(v) for v in np.unique(table[np.ix_(*[np.asarray(d) for d in domains])])}))


def _count_domain(value_domain: tuple[int, ...], n_ctx: int) -> tuple[int, ...]:
    """A numerical head sums at most n_ctx values of its value variable."""
    return tuple(range(0, n_ctx * max(value_domain) + 1))


def _clipped(domain: tuple[int, ...], clip: int) -> tuple[int, ...]:
    return tuple(sorted({min(max(v, 0), clip) for v in domain}))


def build_ops(dp: dict, spec: ProgramSpec, n_tokens: int) -> tuple[list[Op], dict[str, Var]]:
    """Every operation of the model, simplified on the domains of its inputs, and every variable."""
    cat_names, num_names = variable_names(spec)
    variables = {
        "tokens": Var("tokens", "cat", tuple(range(1, n_tokens))),  # every token but <pad>
        "positions": Var("positions", "cat", tuple(range(spec.n_ctx))),
        "ones": Var("ones", "num", (1,)),
    }
    dom = lambda name: variables[name].domain  # noqa: E731
    ops: list[Op] = []
    for layer, dl in enumerate(dp["layers"]):
        n_cat, n_num = spec.n_cat_in(layer), spec.n_num_in(layer)
        cat_in, num_in = cat_names[:n_cat], num_names[:n_num]
        for h in range(spec.n_heads_cat):
            q, k, v = (cat_in[int(dl["cat_read"][i, h])] for i in range(3))
            op = Select(f"cat_attn_{layer}_{h}", "cat", layer, h, q, k, v, simplify_predicate(dl["cat_pred"][h], dom(q), dom(k)))
            ops.append(op)
            variables[op.name] = Var(op.name, "cat", dom(v))
        for h in range(spec.n_heads_num):
            q, k = (cat_in[int(dl["num_read_qk"][i, h])] for i in range(2))
            v = num_in[int(dl["num_read_v"][h])]
            op = Select(f"num_attn_{layer}_{h}", "num", layer, h, q, k, v, simplify_predicate(dl["num_pred"][h], dom(q), dom(k)))
            ops.append(op)
            variables[op.name] = Var(op.name, "num", (0,) if op.predicate.kind == "never" else _count_domain(dom(v), spec.n_ctx))
        cat_mid = cat_in + cat_names[n_cat : n_cat + spec.n_heads_cat]
        num_mid = num_names[: n_num + spec.n_heads_num]
        for m in range(spec.n_mlps_cat):
            names = [cat_mid[int(i)] for i in dl["mlp_cat_read"][m]]
            full = np.asarray(dl["mlp_cat_table"][m]).reshape((spec.d_var,) * spec.mlp_vars_in)
            ops.append(_lookup(f"cat_mlp_{layer}_{m}", "cat", layer, m, names, full, 0, variables))
        for m in range(spec.n_mlps_num):
            names = [num_mid[int(i)] for i in dl["mlp_num_read"][m]]
            clip = spec.num_clip(layer)
            full = np.asarray(dl["mlp_num_table"][m]).reshape((clip + 1,) * spec.mlp_vars_in)
            ops.append(_lookup(f"num_mlp_{layer}_{m}", "num", layer, m, names, full, clip, variables))
    return ops, variables


def _merge_repeated(table: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """An MLP that reads one variable twice, f(x, x), is a table over x alone: its diagonal."""
    names = list(names)
    while len(set(names)) < len(names):
        second = next(i for i, n in enumerate(names) if names.index(n) != i)
        first = names.index(names[second])
        table = np.moveaxis(np.diagonal(table, axis1=first, axis2=second), -1, first)
        names.pop(second)
    return table, names


def _lookup(name, kind, layer, index, names, full, clip, variables) -> Lookup:
    """An MLP as a table over only the inputs it depends on, and its output variable."""
    table, names = _merge_repeated(full.astype(np.int64), names)
    domains = [variables[n].domain if kind == "cat" else _clipped(variables[n].domain, clip) for n in names]
    if kind == "num":  # no clipped input exceeds its domain's largest value: the rest of the table is unreachable
        table = table[tuple(slice(0, max(d) + 1) for d in domains)]
    table, kept = reduce_table(table, domains)
    variables[name] = Var(name, "cat", table_domain(table, [domains[a] for a in kept]))
    return Lookup(name, kind, layer, index, tuple(names[a] for a in kept), table, clip)


def build_classifier(dp: dict, spec: ProgramSpec, variables: dict[str, Var]) -> Classifier:
    """The classifier over the classes it may predict; rows that are the same for every value become bias."""
    cat_names, num_names = variable_names(spec)
    classes = tuple(int(c) for c in np.flatnonzero(~class_mask(spec)))
    w_cat = np.asarray(dp["classifier_cat"], np.int64)[:, :, classes]
    w_num = np.asarray(dp["classifier_num"], np.int64)[:, classes]
    bias = np.zeros(len(classes), np.int64)
    cat, num = {}, {}
    for i, name in enumerate(cat_names):
        rows = w_cat[i][list(variables[name].domain)]
        if np.all(rows == rows[0]):
            bias += rows[0]
        else:
            cat[name] = w_cat[i]
    for i, name in enumerate(num_names):
        domain = variables[name].domain
        if np.all(w_num[i] == 0):
            continue
        if len(domain) == 1:
            bias += domain[0] * w_num[i]
        else:
            num[name] = w_num[i]
    return Classifier(classes=classes, bias=bias, cat=cat, num=num)


def prune(ops: list[Op], classifier: Classifier) -> list[Op]:
    """Only the operations whose output reaches the classifier, in order."""
    live = set(classifier.cat) | set(classifier.num)
    kept = []
    for op in reversed(ops):
        if op.name in live:
            kept.append(op)
            live |= set(op.inputs)
    return kept[::-1]


def extract(dp: dict, spec: ProgramSpec, vocab: tuple[str, ...], labels: tuple[str, ...], meta: dict | None = None) -> Program:
    """One seed's snapped tables (numpy or jax arrays, no seed axis) -> its Program."""
    dp = _to_numpy(dp)
    ops, variables = build_ops(dp, spec, len(vocab))
    classifier = build_classifier(dp, spec, variables)
    ops = prune(ops, classifier)
    used = set(classifier.cat) | set(classifier.num) | {n for op in ops for n in op.inputs} | {op.name for op in ops}
    order = ["tokens", "positions", "ones"] + [op.name for op in ops]
    return Program(
        vocab=tuple(vocab),
        labels=tuple(labels),
        n_ctx=spec.n_ctx,
        causal=spec.causal,
        d_var=spec.d_var,
        variables={n: variables[n] for n in order if n in used},
        ops=tuple(ops),
        classifier=classifier,
        meta=dict(meta or {}),
    )


def _to_numpy(tree):
    if isinstance(tree, dict):
        return {k: _to_numpy(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [_to_numpy(v) for v in tree]
    return np.asarray(tree)

