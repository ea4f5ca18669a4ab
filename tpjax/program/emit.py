"""The emitter: a `Program` becomes a standalone, readable Python module (`program.py`, `tables.json`, `runtime.py`).

The module needs numpy and the two files next to it (runtime.py: the helpers every program shares). It has one function per head and MLP, named after the
variable it computes; predicates are written in their simplest exact form (`keys == queries + 1`), small
tables inline, larger MLP tables and the classifier weights in tables.json. `run(tokens)` checks its input
and returns one label per position; `predict(ids)` is the batched form the verifier uses.
"""

from __future__ import annotations

import json
import os
import pathlib
import textwrap

from tpjax.program.ir import NO_MATCH, Lookup, Program, Select

INLINE_AT_MOST = 16  # table entries written into the code; larger tables go to tables.json
DOC_WIDTH = 110

_LOADER = '''_HERE = pathlib.Path(__file__).parent
_SPEC = importlib.util.spec_from_file_location(f"{__name__}_runtime", _HERE / "runtime.py")
runtime = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(runtime)
select_closest = runtime.select_closest'''

_RUN = '''def run(tokens: list[str]) -> list[str]:
    """One predicted label per position of `tokens`, a whole input that starts with "<s>"."""
    return run_batch([tokens])[0]


def run_batch(batch: list[list[str]]) -> list[list[str]]:
    """`run` for many inputs at once; ValueError naming the first bad input."""
    labels = predict(runtime.encode(batch, VOCAB, N_CTX))
    return [[LABELS[c] for c in row[: len(tokens)]] for row, tokens in zip(labels, batch)]


def lookup(mapping: dict, fill: int, size: int = D_VAR) -> np.ndarray:
    """A dict of value -> value as an array indexed by value (`fill` where not given)."""
    return runtime.lookup(mapping, fill, size)'''

RUNTIME_SOURCE = pathlib.Path(__file__).with_name("runtime.py")


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
    if op.predicate.kind == "never" and op.kind == "cat":
        doc = f"{head}: nothing ever matches, so every position reads BOS's `{op.value}`."
        return _function(op.name, [op.value], doc, [f"return np.broadcast_to({op.value}[:, :1], {op.value}.shape)"])
    if op.predicate.kind == "never":  # reads nothing: its value variable may not even be computed
        return _function(op.name, ["tokens"], f"{head}: nothing ever matches, so the sum is 0.", ["return np.zeros_like(tokens)"])
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
    """The files of the standalone module: {"program.py": ..., "tables.json": ..., "runtime.py": ...}."""
    if program.vocab[:2] != ("<pad>", "<s>"):
        raise ValueError(f"a program's vocabulary starts with '<pad>', '<s>' (runtime.encode relies on it), got {program.vocab[:2]}")
    tables: dict = {}
    functions = []
    for op in program.ops:
        functions.append(_select_code(op, program) if isinstance(op, Select) else _lookup_code(op, program, tables))
    classify, classify_args = _classifier_code(program, tables)
    labels = [program.labels[i] for i in program.classifier.classes]
    needs = {"tokens", "visible"} | {n for op in program.ops for n in op.inputs} | set(classify_args)
    predict = ['def predict(tokens: np.ndarray) -> np.ndarray:', '    """Label indices (B, T) into LABELS for token ids (B, T) padded with 0."""']
    if "positions" in needs:
        predict.append("    positions = np.broadcast_to(np.arange(tokens.shape[1]), tokens.shape)")
    if "ones" in needs:
        predict.append("    ones = np.ones_like(tokens)")
    predict.append("    visible = runtime.visible_keys(tokens, CAUSAL)")
    for op in program.ops:
        args = list(op.inputs) if isinstance(op, Lookup) else _select_args(op)
        if isinstance(op, Lookup) and not op.inputs:
            args = ["tokens"]
        predict.append(f"    {op.name} = compute_{op.name}({_args(*args)})")
    predict.append(f"    return classify({_args(*classify_args)})")
    constants = [
        "import importlib.util",
        "import pathlib",
        "",
        "import numpy as np",
        "",
        _LOADER,
        "",
        f"VOCAB = {list(program.vocab)!r}  # a token's id is its index",
        f"LABELS = {labels!r}",
        f"N_CTX = {program.n_ctx}",
        f"D_VAR = {program.d_var}  # categorical variables take values 0 .. D_VAR - 1",
        f"CAUSAL = {program.causal}  # a query never attends to a later position" if program.causal else "CAUSAL = False",
        'TABLES = runtime.load_tables(_HERE / "tables.json")',
    ]
    parts = [_header(program), "\n".join(constants), _RUN, *functions, classify, "\n".join(predict)]
    return {
        "program.py": _tidy("\n\n\n".join(parts)),
        "tables.json": json.dumps(tables) + "\n",
        "runtime.py": RUNTIME_SOURCE.read_text(),
    }


def _select_args(op: Select) -> list[str]:
    if op.predicate.kind == "never":
        return [op.value] if op.kind == "cat" else ["tokens"]
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
    """Write program.py, tables.json and runtime.py into `out_dir` (created); returns their paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = {}
    for name, text in emit(program).items():
        path = os.path.join(out_dir, name)
        with open(f"{path}.tmp", "w") as f:
            f.write(text)
        os.replace(f"{path}.tmp", path)
        paths[name] = path
    return paths
