"""Addition programs scored as tpjax scores them and as the blog's code would: `python -m tpjax.experiments.addition_compare programs/addition_hints ...`.

The blog's figures (93.24 / 92.00) come from code whose answer formats differ from the blog's text and from
tpjax (docs/results.md, "Addition"): with hints its answer letters are positional (`a`, `b`, `c` for the
first, second, third answer digit), so every answer letter is right from its position alone. This scores a
program's test-split predictions four ways: tpjax's token accuracy, whole-answer exact match, accuracy on
answer digits alone, and token accuracy with every answer letter counted right (the blog code's free letters). Plain addition in the blog
code's one-label format is trained directly (`--config.data.sum_label=True`), not rescored.
"""

from __future__ import annotations

import sys

import numpy as np
from absl import app

from tpjax import cli, tasks
from tpjax.program.export import load_module, module_label_ids, read_program_folder
from tpjax.train.evaluate import token_matches


def scores(preds_NT: np.ndarray, targets_NT: np.ndarray, digits_NT: np.ndarray, letters_NT: np.ndarray) -> dict[str, float]:
    """Token accuracy and exact match (counted by tpjax.train.evaluate's definition), accuracy where
    `digits_NT`, and accuracy with `letters_NT` counted right."""
    right, scored, whole, has_target = token_matches(preds_NT, targets_NT)
    return {
        "token_acc": float(right.sum() / max(scored.sum(), 1)),
        "exact_match": float(whole.sum() / max(has_target.sum(), 1)),
        "digit_acc": float((right & digits_NT).sum() / max(digits_NT.sum(), 1)),
        "letters_free_acc": float((right | (letters_NT & scored)).sum() / max(scored.sum(), 1)),
    }


def answer_positions(task: tasks.Task, targets_NT: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the target is an answer digit (or a one-label sum) and where it is a hint letter."""
    names = task.labels.tokens
    digit = np.asarray([name.isdigit() for name in names])
    letter = np.asarray([name.isalpha() and len(name) == 1 for name in names])
    return digit[targets_NT], letter[targets_NT]


def compare(directory: str) -> dict:
    """The scores of the program in `directory` (as tpjax.extract writes it) on its test split."""
    info, c, task = read_program_folder(directory)
    if c.task not in ("addition", "addition_hints"):
        raise ValueError(f"{directory} holds a {c.task} program, not addition or addition_hints")
    test = tasks.make_dataset(c).splits["test"]
    preds = module_label_ids(load_module(directory), test.inputs, task.labels)
    return {"program": directory, "task": c.task, "config": info.get("config"), "n_test": int(test.inputs.shape[0]),
            **scores(preds, test.targets, *answer_positions(task, test.targets))}


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit("error: name one or more program folders, e.g. programs/addition programs/addition_hints")
    try:
        rows = [compare(directory) for directory in argv[1:]]
    except ValueError as e:
        sys.exit(f"error: {e}")
    print("| program | task | config | test token acc | exact match | answer digits | letters counted right (blog code) |")
    print("|---|---|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['program']} | {r['task']} | {r['config']} | {100 * r['token_acc']:.2f} | {100 * r['exact_match']:.2f} | "
              f"{100 * r['digit_acc']:.2f} | {100 * r['letters_free_acc']:.2f} |")


if __name__ == "__main__":
    app.run(main, flags_parser=cli.flags_parser())
