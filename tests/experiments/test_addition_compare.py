"""Scoring addition predictions the tpjax way and the blog code's way."""

import numpy as np
import pytest

from tpjax import tasks
from tpjax.config import base_config
from tpjax.experiments import addition_compare


def test_scores_count_what_they_say():
    targets = np.array([[0, 3, 4, 9, 9], [0, 5, 9, 9, 0]])
    preds = np.array([[7, 3, 5, 9, 9], [1, 5, 9, 9, 2]])  # position 0 and padding are never scored
    digits = np.array([[0, 1, 1, 0, 0], [0, 1, 0, 0, 0]], bool)
    letters = np.array([[0, 0, 1, 0, 0], [0, 0, 0, 0, 0]], bool)
    s = addition_compare.scores(preds, targets, digits, letters)
    assert s["token_acc"] == 6 / 7
    assert s["exact_match"] == 0.5
    assert s["digit_acc"] == 2 / 3
    assert s["letters_free_acc"] == 1.0


def test_answer_positions_of_hints_and_sum_labels():
    c = base_config()
    c.task = "addition_hints"
    _, task = tasks.get_task(c)
    targets = np.asarray([task.labels.encode("<pad> b 3 c 7 _ _".split())])
    digits, letters = addition_compare.answer_positions(task, targets)
    assert digits.tolist() == [[False, False, True, False, True, False, False]]
    assert letters.tolist() == [[False, True, False, True, False, False, False]]
    c.task, c.data.sum_label = "addition", True
    _, task = tasks.get_task(c)
    digits, letters = addition_compare.answer_positions(task, np.asarray([task.labels.encode("<pad> 137 _ _ _ _".split())]))
    assert digits.tolist() == [[False, True, False, False, False, False]] and not letters.any()


def test_bad_folders_fail_in_one_line(tmp_path):
    with pytest.raises(SystemExit, match="is not a program folder"):
        addition_compare.main(["addition_compare", str(tmp_path / "nowhere")])
    for name in ("program.py", "tables.json", "runtime.py"):
        (tmp_path / name).write_text("")
    with pytest.raises(SystemExit, match="is not a program folder: it lacks program.json"):
        addition_compare.main(["addition_compare", str(tmp_path)])
    (tmp_path / "program.json").write_text("{}")
    with pytest.raises(SystemExit, match="is not a program.json written by tpjax.extract"):
        addition_compare.main(["addition_compare", str(tmp_path)])
    with pytest.raises(SystemExit, match="^error: name one or more program folders"):
        addition_compare.main(["addition_compare"])
