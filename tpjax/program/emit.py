"""The emitter: a `Program` becomes a standalone, readable Python module (`program.py` + `tables.json`).

The module needs numpy and the JSON file next to it. It has one function per head and MLP, named after the
variable it computes; predicates are written in their simplest exact form (`keys == queries + 1`), small
tables inline, larger MLP tables and the classifier weights in tables.json. `run(tokens)` checks its input
and returns one label per position; `predict(ids)` is the batched form the verifier uses.
"""

from __future__ import annotations

import json
import os
import textwrap

import numpy as np

from tpjax.program.ir import NO_MATCH, Lookup, Predicate, Program, Select

INLINE_AT_MOST = 16  # table entries written into the code; larger tables go to tables.json
DOC_WIDTH = 110

_RUNTIME = '''def run(tokens: list[str]) -> list[str]:
    """One predicted label per position of `tokens`, a whole input that starts with "<s>"."""
    return run_batch([tokens])[0]


def run_batch(batch: list[list[str]]) -> list[list[str]]:
    """`run` for many inputs at once."""
    labels = predict(encode(batch))
    return [[LABELS[c] for c in row[: len(tokens)]] for row, tokens in zip(labels, batch)]


def encode(batch: list[list[str]]) -> np.ndarray:
    """Token ids (B, T), padded with 0; ValueError naming the first problem found."""
    if not batch:
        raise ValueError("no inputs given")
    ids = np.zeros((len(batch), max(len(tokens) for tokens in batch)), np.int64)
    for i, tokens in enumerate(batch):
        if isinstance(tokens, str):
            raise ValueError(f"input {i} is a string; give a list of tokens such as {['<s>'] + VOCAB[2:4]}")
        if not tokens or tokens[0] != "<s>":
            raise ValueError(f"input {i} must start with '<s>' (BOS), got {list(tokens[:1])}")
        if len(tokens) > N_CTX:
            raise ValueError(f"input {i} has {len(tokens)} tokens; the context holds at most {N_CTX}")
        for j, token in enumerate(tokens):
            if token not in TOKEN_IDS:
                raise ValueError(f"unknown token {token!r} at position {j} of input {i}; the vocabulary is {VOCAB[1:]}")
            ids[i, j] = TOKEN_IDS[token]
    return ids


def visible_keys(tokens: np.ndarray) -> np.ndarray:
    """(B, Q, K): the key positions a query may attend to: real tokens{causal_doc}."""
    real = tokens != 0
    visible = real[:, :, None] & real[:, None, :]{causal_code}
    return visible


def select_closest(match: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` (B, K) at the key each query picks among its matches (B, Q, K): the nearest one, the earlier
    one on equal distance, the query itself only when nothing else matches, position 0 (BOS) when none."""
    n = match.shape[-1]
    q, k = np.arange(n)[:, None], np.arange(n)[None, :]
    priority = np.where(k == q, -4 * n, -2 * np.abs(q - k) + (k < q))
    chosen = np.where(match.any(-1), np.where(match, priority, -8 * n).argmax(-1), 0)
    return np.take_along_axis(values, chosen, axis=1)


def lookup(mapping: dict, fill: int, size: int = D_VAR) -> np.ndarray:
    """A dict of value -> value as an array indexed by value (`size` values, `fill` where not given)."""
    table = np.full(size, fill)
    table[list(mapping)] = list(mapping.values())
    return table
'''


_LOAD_TABLES = '''def _load_tables() -> dict:
    """MLP tables and classifier weights, as integer arrays, from tables.json next to this file."""
    raw = json.loads(pathlib.Path(__file__).with_name("tables.json").read_text())
    arrays = lambda x: {k: arrays(v) for k, v in x.items()} if isinstance(x, dict) else np.asarray(x, np.int64)  # noqa: E731
    return arrays(raw)


TABLES = _load_tables()'''


def _fmt_value(program: Program, var: str, value: int) -> str:
    """How a value reads in a docstring: token strings for `tokens`, numbers otherwise."""
    return repr(program.vocab[value]) if var == "tokens" else str(value)


def _offset(c: int) -> str:
    return "" if c == 0 else f" + {c}" if c > 0 else f" - {-c}"


def _args(*names: str) -> str:
    return ", ".join(dict.fromkeys(names))


def _predicate_code(op: Select, program: Program) -> tuple[list[str], str]:
    """Code lines that compute `match` (B, Q, K) and the predicate in words."""
    p, q, k = op.predicate, op.query, op.key
    if p.kind in ("const", "offset"):
        if p.kind == "const":
            rule, words = str(p.value), f"`{k}` is {_fmt_value(program, k, p.value)}"
        else:
            rule, words = f"{q}{_offset(p.value)}", f"`{k}` equals the query's `{q}`{_offset(p.value)}"
        if not p.exceptions:
            return [f"match = {k}[:, None, :] == {rule if p.kind == 'const' else f'{q}[:, :, None]{_offset(p.value)}'}"], words
        copy = rule if p.value else f"{q}.copy()"
        lines = [f"wanted = np.full_like({q}, {p.value})" if p.kind == "const" else f"wanted = {copy}"]
        told = []
        for a, b in p.exceptions:
            target = "nothing" if b == NO_MATCH else _fmt_value(program, k, b)
            lines.append(f"wanted[{q} == {a}] = {b}  # {_fmt_value(program, q, a)} matches {target}")
            told.append(f"a query {_fmt_value(program, q, a)} matches {target}")
        lines.append(f"match = {k}[:, None, :] == wanted[:, :, None]")
        return lines, f"{words}, except that {' and '.join(told)}"
    mapping = {i: w for i, w in enumerate(p.table) if w != NO_MATCH and i in program.variables[q].domain}
    words = ", ".join(f"{_fmt_value(program, q, a)}->{_fmt_value(program, k, b)}" for a, b in mapping.items())
    return (
        [f"wanted = lookup({mapping}, fill={NO_MATCH})  # query value -> the key value it matches",
         f"match = {k}[:, None, :] == wanted[{q}][:, :, None]"],
        f"`{k}` is the value the query's `{q}` asks for ({words}; other values match nothing)",
    )


def _select_code(op: Select, program: Program) -> str:
    kind = "categorical" if op.kind == "cat" else "numerical"
    head = f"Layer {op.layer}, {kind} head {op.index}"
    if op.predicate.kind == "never":
        if op.kind == "cat":
            doc, body = f"{head}: nothing ever matches, so every position reads BOS's `{op.value}`.", [
                f"return np.broadcast_to({op.value}[:, :1], {op.value}.shape)"]
        else:
            doc, body = f"{head}: nothing ever matches, so the sum is 0.", [f"return np.zeros_like({op.value})"]
        return _function(op.name, [op.value], doc, body)
    lines, words = _predicate_code(op, program)
    names = ([op.query] if op.predicate.reads_query else []) + [op.key, op.value]
    if op.kind == "cat":
        doc = f"{head}: `{op.value}` at the nearest position whose {words}."
        body = lines + [f"return select_closest(match & visible, {op.value})"]
    elif op.value == "ones":
        doc = f"{head}: counts the positions whose {words}."
        body = lines + ["return np.sum(match & visible, axis=2)"]
        names = names[:-1]
    else:
        doc = f"{head}: sums `{op.value}` over the positions whose {words}."
        body = lines + [f"return np.sum((match & visible) * {op.value}[:, None, :], axis=2)"]
    return _function(op.name, names + ["visible"], doc, body)


def _lookup_code(op: Lookup, program: Program, tables: dict) -> str:
    kind = "categorical" if op.kind == "cat" else "numerical"
    head = f"Layer {op.layer}, {kind} MLP {op.index}"
    if not op.inputs:
        return _function(op.name, ["tokens"], f"{head}: always {int(op.table)}.", [f"return np.full_like(tokens, {int(op.table)})"])
    args = list(op.inputs)
    if op.kind == "num":  # the model clips counts to [0, clip] before its MLPs read them
        args = [f"np.minimum({n}, {op.clip})" if max(program.variables[n].domain) > op.clip else n for n in op.inputs]
    n_out = len(program.variables[op.name].domain)
    inputs = ", ".join(f"`{n}`" for n in op.inputs)
    domain = sorted({min(v, op.clip) if op.kind == "num" else v for v in program.variables[op.inputs[0]].domain})
    if len(op.inputs) == 1 and len(domain) <= INLINE_AT_MOST:
        mapping = {int(v): int(op.table[v]) for v in domain}
        size = "" if op.kind == "cat" else f", size={op.clip + 1}"
        body = [f"return lookup({mapping}, fill=0{size})[{args[0]}]"]
        return _function(op.name, list(op.inputs), f"{head}: a table over {inputs} ({n_out} output values).", body)
    tables[op.name] = op.table.tolist()
    body = [f'return TABLES["{op.name}"][{", ".join(args)}]']
    return _function(op.name, list(op.inputs), f"{head}: a table over {inputs} ({n_out} output values, in tables.json).", body)


def _function(name: str, args: list[str], doc: str, body: list[str]) -> str:
    """A top-level function; variables keep the op's name, so the function computing one is `compute_<name>`."""
    if name != "classify":
        name = f"compute_{name}"
    doc = textwrap.fill(doc, width=DOC_WIDTH, initial_indent='    """', subsequent_indent="    ") + '"""'
    lines = [f"def {name}({_args(*args)}):", doc] + [f"    {line}" for line in body]
    return "\n".join(lines)


def _classifier_code(program: Program, tables: dict) -> tuple[str, list[str]]:
    c = program.classifier
    tables["classifier"] = {
        "bias": c.bias.tolist(),
        "cat": {n: w.tolist() for n, w in c.cat.items()},
        "num": {n: w.tolist() for n, w in c.num.items()},
    }
    names = list(c.cat) + list(c.num)
    terms = [f'w["cat"]["{n}"][{n}]' for n in c.cat] + [f'{n}[..., None] * w["num"]["{n}"]' for n in c.num]
    if terms:
        logits = ["logits = (", '    w["bias"]'] + [f"    + {t}" for t in terms] + [")"]
    else:
        logits = ['logits = np.broadcast_to(w["bias"], tokens.shape + w["bias"].shape)']
    body = ['w = TABLES["classifier"]', *logits, "return np.argmax(logits, axis=-1)"]
    doc = "Fixed-point logits (a bias, a row per categorical value, a weight per count); the first maximum wins."
    args = names or ["tokens"]
    return _function("classify", args, doc, body), args


def _header(program: Program) -> str:
    m = program.meta
    lines = [f'"""{m.get("task", "task")}: a Transformer Program extracted by tpjax.', ""]
    if "description" in m:
        lines.append(f"Task: {m['description']}.")
    if "config" in m:
        lines.append(f"Model: {m['config']}.")
    src = ", ".join(f"{k} {m[k]}" for k in ("seed", "epoch", "source") if k in m)
    if src:
        lines.append(f"From {src}.")
    if "test_acc" in m:
        lines.append(f"Snapped model's test accuracy: {100 * m['test_acc']:.2f}%.")
    lines += [
        "",
        f'run(tokens) takes a whole input starting with "<s>" (at most {program.n_ctx} tokens) and returns one',
        "label per position. Variables hold one integer per position: token ids (VOCAB), positions, counts, or",
        "the output of the function compute_<name> below.",
        '"""',
    ]
    return "\n".join(lines)


def emit(program: Program) -> dict[str, str]:
    """The files of the standalone module: {"program.py": source, "tables.json": data}."""
    tables: dict = {}
    functions = []
    for op in program.ops:
        functions.append(_select_code(op, program) if isinstance(op, Select) else _lookup_code(op, program, tables))
    classify, classify_args = _classifier_code(program, tables)
    labels = [program.labels[i] for i in program.classifier.classes]
    causal = program.causal
    runtime = (
        _RUNTIME.replace("{causal_doc}", ", never a later position" if causal else "")
        .replace("{causal_code}", "\n    visible &= np.tri(tokens.shape[1], dtype=bool)" if causal else "")
        
    )
    needs = {"tokens", "visible"} | {n for op in program.ops for n in op.inputs} | set(classify_args)
    predict = ['def predict(tokens: np.ndarray) -> np.ndarray:', '    """Label indices (B, T) into LABELS for token ids (B, T) padded with 0."""']
    if "positions" in needs:
        predict.append("    positions = np.broadcast_to(np.arange(tokens.shape[1]), tokens.shape)")
    if "ones" in needs:
        predict.append("    ones = np.ones_like(tokens)")
    predict.append("    visible = visible_keys(tokens)")
    for op in program.ops:
        args = list(op.inputs) if isinstance(op, Lookup) else _select_args(op)
        if isinstance(op, Lookup) and not op.inputs:
            args = ["tokens"]
        predict.append(f"    {op.name} = compute_{op.name}({_args(*args)})")
    predict.append(f"    return classify({_args(*classify_args)})")
    vocab = "\n".join(f"    {t!r},  # {i}" for i, t in enumerate(program.vocab))
    constants = [
        "import json",
        "import pathlib",
        "",
        "import numpy as np",
        "",
        f"VOCAB = [\n{vocab}\n]",
        "TOKEN_IDS = {t: i for i, t in enumerate(VOCAB) if i > 0}",
        f"LABELS = {labels!r}",
        f"N_CTX = {program.n_ctx}",
        f"D_VAR = {program.d_var}  # categorical variables take values 0 .. D_VAR - 1",
    ]
    parts = [_header(program), "\n".join(constants), _LOAD_TABLES, runtime, *functions, classify, "\n".join(predict)]
    return {"program.py": _tidy("\n\n\n".join(parts)), "tables.json": json.dumps(tables) + "\n"}


def _select_args(op: Select) -> list[str]:
    if op.predicate.kind == "never":
        return [op.value]
    names = ([op.query] if op.predicate.reads_query else []) + [op.key]
    if not (op.kind == "num" and op.value == "ones"):
        names.append(op.value)
    return names + ["visible"]


def _tidy(source: str) -> str:
    """Exactly two blank lines between top-level definitions, one newline at the end."""
    out: list[str] = []
    for line in source.split("\n"):
        if line.strip() == "" and len(out) >= 2 and out[-1] == "" and out[-2] == "":
            continue
        out.append(line.rstrip())
    return "\n".join(out).strip("\n") + "\n"


def write(program: Program, out_dir: str) -> dict[str, str]:
    """Write program.py and tables.json into `out_dir` (created); returns their paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = {}
    for name, text in emit(program).items():
        path = os.path.join(out_dir, name)
        with open(f"{path}.tmp", "w") as f:
            f.write(text)
        os.replace(f"{path}.tmp", path)
        paths[name] = path
    return paths
