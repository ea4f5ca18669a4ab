"""Dataset generation time per task (20,000 examples, default data config): `python benchmarks/data_speed.py`.

Building a dataset is the first thing every run does; it should stay well under two seconds per task.
"""

from __future__ import annotations

import time

from tpjax import tasks
from tpjax.config import base_config

TASKS_AT_PAPER_LENGTH = {"dyck1": 16, "dyck2": 16}


def main() -> None:
    print(f"{'task':<16} {'examples':>9} {'seconds':>8}")
    for name in tasks.TASKS:
        c = base_config()
        c.task = name
        c.data.size = 20000
        c.data.max_len = TASKS_AT_PAPER_LENGTH.get(name, c.data.max_len)
        if name == "induction":
            c.data.vocab_size = 10
        start = time.perf_counter()
        dataset = tasks.make_dataset(c)
        n = sum(s.inputs.shape[0] for s in dataset.splits.values())
        print(f"{name:<16} {n:>9} {time.perf_counter() - start:>8.2f}")


if __name__ == "__main__":
    main()
