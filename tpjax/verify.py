"""Score a program on its task's whole input space: `python -m tpjax.verify programs/<task>`.

When the task's inputs are every string of its lengths over an alphabet and there are at most
`--max_inputs` of them, every one is checked (exact accuracy, no sampling error); otherwise
`--max_inputs` inputs are drawn from the task's sampler. The program is also re-run on the test split.
Prints the accuracy and the shortest counterexamples, and writes VERIFY.json into the program's folder.

The model is also re-run from the source run's checkpoint (program.json's `source`) to recheck the agreement. A
clone of the project has the shipped programs but not the runs they came from: where the source run has no
checkpoints folder, the recheck recorded by an earlier verify (the VERIFY.json already in the folder) is kept,
provided that VERIFY.json is of this program (the same files, by `program_sha256`; in an older VERIFY.json, the
same task, seed, epoch, source and answers); else the entry says why nothing was rechecked, without the local
folder it looked from (printed only). tpjax.program.ship removes the earlier VERIFY.json first, so a program it
ships is always rechecked afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time

import numpy as np
from absl import app, flags

from tpjax import cli, tasks
from tpjax.program.export import (
    ProgramFolderError, agreement, load_module, module_label_ids, read_program_folder, run_predictions, token_accuracy,
)
from tpjax.tasks.spec import Lengths, Strings
from tpjax.tasks.splits import pad
from tpjax.train.records import write_json_atomic


def define_flags() -> None:
    """The command line's flags, defined only when the module runs as a script: importing it defines none,
    so that the tpjax command-line modules, several of which share flag names, import into one process."""
    global _MAX_INPUTS, _SHOW, _SEED
    _MAX_INPUTS = flags.DEFINE_integer("max_inputs", 10**6, "Enumerate up to this many inputs, else sample this many.")
    _SHOW = flags.DEFINE_integer("show", 5, "Counterexamples to print (shortest first).")
    _SEED = flags.DEFINE_integer("sample_seed", 0, "Seed of the sampler when the space is too large to enumerate.")


class VerifyError(Exception):
    """A program folder that cannot be verified (missing files, unknown task)."""


def enumerate_space(space: Strings, lengths: Lengths, vocab: tasks.Vocab, n_ctx: int) -> np.ndarray:
    """Every input of the space as padded ids (N, n_ctx), shortest first, then in alphabet order."""
    prefix, suffix = vocab.encode(space.prefix), vocab.encode(space.suffix)
    alphabet = np.asarray(vocab.encode(space.alphabet), np.int32)
    blocks = []
    for n in range(lengths[0], lengths[1] + 1):
        body = alphabet[np.indices((len(alphabet),) * n).reshape(n, -1).T]
        edge = lambda ids: np.tile(np.asarray(ids, np.int32).reshape(1, -1), (body.shape[0], 1))  # noqa: E731
        whole = np.concatenate([edge(prefix), body, edge(suffix)], axis=1)
        blocks.append(np.pad(whole, ((0, 0), (0, n_ctx - whole.shape[1]))))
    return np.concatenate(blocks).astype(np.int32)


def input_lengths(task: tasks.Task) -> list[Lengths]:
    return [task.train_lengths] + ([task.test_lengths] if task.test_lengths else [])


def inputs_to_check(task: tasks.Task, max_inputs: int, seed: int) -> tuple[np.ndarray, bool]:
    """(padded ids, exhaustive?) for the task's input space."""
    n_ctx = task.n_ctx
    if task.space is not None and sum(task.space.count(r) for r in input_lengths(task)) <= max_inputs:
        return np.concatenate([enumerate_space(task.space, r, task.vocab, n_ctx) for r in input_lengths(task)]), True
    rng = np.random.default_rng(seed)
    per_range = -(-max_inputs // len(input_lengths(task)))
    drawn = sorted({x for r in input_lengths(task) for x in task.sample(rng, per_range, r)}, key=lambda x: (len(x), x))
    return pad([task.vocab.encode(x) for x in drawn], n_ctx), False


def reference_labels(task: tasks.Task, ids_NT: np.ndarray) -> np.ndarray:
    """The task's own labels for every input, as padded label ids."""
    tokens = task.vocab.tokens
    rows = [[tokens[i] for i in row if i] for row in ids_NT.tolist()]
    return pad([task.labels.encode(task.label(x)) for x in rows], ids_NT.shape[1])


def verify(directory: str, max_inputs: int = 10**6, show: int = 5, seed: int = 0) -> dict:
    """Check the program in `directory` on its input space and its test split; writes VERIFY.json."""
    start = time.time()
    try:
        info, c, task = read_program_folder(directory)
    except ProgramFolderError as e:
        raise VerifyError(str(e)) from None
    module = load_module(directory)
    ids, exhaustive = inputs_to_check(task, max_inputs, seed)
    targets = reference_labels(task, ids)
    preds = module_label_ids(module, ids, task.labels)
    scored = targets != 0
    wrong_rows = np.flatnonzero(np.any((preds != targets) & scored, axis=1))
    test = tasks.make_dataset(c).splits["test"]
    test_preds = module_label_ids(module, test.inputs, task.labels)
    result = {
        **{k: info[k] for k in ("task", "seed", "epoch", "source", "config", "n_test", "model_test_acc", "agreement") if k in info},
        "program_test_acc": token_accuracy(test_preds, test.targets),
        "recorded_program_test_acc": info.get("program_test_acc"),
        "space": "every input (exhaustive)" if exhaustive else f"{ids.shape[0]} distinct sampled inputs (seed {seed})",
        "exhaustive": exhaustive,
        "n_inputs": int(ids.shape[0]),
        "token_acc": token_accuracy(preds, targets),
        "exact_match": float(1 - len(wrong_rows) / max(ids.shape[0], 1)),
        "n_wrong_inputs": int(len(wrong_rows)),
        "counterexamples": [_counterexample(task, ids[r], targets[r], preds[r]) for r in wrong_rows[:show]],
        "program_lines": info.get("program_lines"),
        "program_sha256": program_digest(directory),
    }
    if checkpoint_at_hand(info.get("source")):
        recheck = _recheck(info, test.inputs, test.targets, test_preds)
    else:
        recheck = _recorded_recheck(directory, result) or (
            f"not rechecked: no checkpoint of the source run at {info.get('source')!r}"
        )
    result["rechecked_against_checkpoint"] = recheck
    result["verify_seconds"] = round(time.time() - start, 2)
    write_json_atomic(os.path.join(directory, "VERIFY.json"), result)
    return result


def checkpoint_at_hand(source: str | None) -> bool:
    """Whether the source run's checkpoints are here (a relative source is relative to the working folder)."""
    return bool(source) and os.path.isdir(os.path.join(source, "checkpoints"))


def _recheck(info: dict, inputs: np.ndarray, targets: np.ndarray, program_preds: np.ndarray) -> dict | str:
    """Agreement with the snapped model recomputed now from the source run's checkpoint.

    program.json's agreement was measured when the program was written; this re-runs the model from its
    checkpoint, so a program that drifted from its model (edited tables, another checkpoint) shows here.
    """
    from tpjax.train import CheckpointError

    source = info["source"]
    try:
        model_preds, epoch = run_predictions(source, info["seed"], inputs)
    except CheckpointError as e:
        return f"not rechecked: {e}"
    return {
        "source": source,
        "epoch": epoch,
        "agreement": agreement(model_preds, program_preds, inputs),
        "model_test_acc": token_accuracy(model_preds, targets),
    }


def program_digest(directory: str) -> str:
    """sha256 of the files that make the program (program.py, runtime.py, tables.json), in that order."""
    digest = hashlib.sha256()
    for name in ("program.py", "runtime.py", "tables.json"):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                digest.update(name.encode() + b"\0" + f.read() + b"\0")
    return digest.hexdigest()


def _recorded_recheck(directory: str, result: dict) -> dict | None:
    """The recheck in the folder's earlier VERIFY.json, where that file is of this very program.

    Without the source checkpoint nothing can be re-run, and the record of a recheck done where the run was is
    still true of the program as long as it is the same one: the same files (`program_sha256`), or, in a file
    written before verify recorded them, the same task, seed, epoch, source and the same answers on the test
    split and the input space (accuracies, wrong inputs and counterexamples).
    """
    try:
        with open(os.path.join(directory, "VERIFY.json")) as f:
            earlier = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(earlier, dict) or not isinstance(recheck := earlier.get("rechecked_against_checkpoint"), dict):
        return None
    same = ("program_sha256",) if "program_sha256" in earlier else (
        "task", "seed", "epoch", "source", "program_test_acc", "n_inputs", "token_acc", "n_wrong_inputs", "counterexamples"
    )
    return recheck if all(earlier.get(k) == result.get(k) for k in same) else None


def _counterexample(task: tasks.Task, ids: np.ndarray, target: np.ndarray, pred: np.ndarray) -> dict:
    n = int(np.sum(ids != 0))
    return {
        "input": task.vocab.decode(ids[:n]),
        "expected": task.labels.decode(target[:n]),
        "program": task.labels.decode(pred[:n]),
    }


def summary(r: dict) -> str:
    """What verify found, for the terminal: unlike VERIFY.json, it says where a missing checkpoint was looked for."""
    rc, source = r.get("rechecked_against_checkpoint"), r.get("source")
    here = f" (relative to {os.getcwd()})" if source and not os.path.isabs(source) else ""
    if not isinstance(rc, dict):
        recheck = rc if checkpoint_at_hand(source) else f"{rc}{here}"
    else:
        recheck = f"rechecked against {rc['source']} (epoch {rc['epoch']}): agreement {rc['agreement']}"
        if not checkpoint_at_hand(source):
            recheck += f", as recorded by an earlier verify: no checkpoint of the source run at {source!r}{here}"
    lines = [
        f"{r['task']} (seed {r.get('seed')}): {r['space']}: {r['n_inputs']} inputs",
        f"  token accuracy {100 * r['token_acc']:.4f}%, whole-input exact match {100 * r['exact_match']:.4f}% "
        f"({r['n_wrong_inputs']} inputs with a wrong token)",
        f"  test split: program {100 * r['program_test_acc']:.2f}%, model {100 * r.get('model_test_acc', float('nan')):.2f}%, "
        f"agreement {r.get('agreement')}",
        f"  {recheck}",
    ]
    for ce in r["counterexamples"]:
        lines.append(f"  counterexample: {' '.join(ce['input'])}\n    expected {ce['expected']}\n    program  {ce['program']}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit("error: name one program folder: python -m tpjax.verify PROGRAM_DIR [--max_inputs=N] [--show=K] "
                 "[--sample_seed=S]")
    for flag, lowest, what in ((_MAX_INPUTS, 1, "a positive"), (_SHOW, 0, "a non-negative"), (_SEED, 0, "a non-negative")):
        if flag.value < lowest:
            sys.exit(f"error: --{flag.name} must be {what} integer, got {flag.value}")
    try:
        result = verify(argv[1], _MAX_INPUTS.value, _SHOW.value, _SEED.value)
    except (VerifyError, ValueError) as e:
        sys.exit(f"error: {e}")
    print(summary(result))


if __name__ == "__main__":
    define_flags()
    app.run(main, flags_parser=cli.flags_parser())
