"""Writes one split of a task's dataset to stdout as JSON lines, so anyone can inspect or reuse the data.

    python -m tpjax.data --config=configs/sort.py --split=test [--config.data.size=1000]

Each line is `{"input": [...], "target": [...]}` with unpadded token strings, exactly the examples
`tpjax.tasks.make_dataset` encodes for training. Bad input ends with one line on stderr and exit code 1;
nothing is written to stdout unless the whole split was built.
"""

from __future__ import annotations

import json
import sys

from absl import app, flags
from ml_collections import config_flags

from tpjax import cli
from tpjax import config as config_lib
from tpjax import tasks


def define_flags() -> None:
    """The command line's flags, defined only when the module runs as a script: importing it defines none,
    so that the tpjax command-line modules, several of which share flag names, import into one process."""
    global _CONFIG, _SPLIT
    _CONFIG = config_flags.DEFINE_config_file("config", None, "Task config file, e.g. configs/sort.py.",
                                              lock_config=True)
    _SPLIT = flags.DEFINE_string("split", "train", f"Which split to write: one of {', '.join(tasks.SPLITS)}.")


_PREFIX = "tpjax.data: error: "


def _fail(message: str) -> None:
    sys.exit(_PREFIX + message)


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        _fail(f"unexpected arguments {' '.join(argv[1:])!r}")
    config = cli.config_value(_CONFIG, _PREFIX)
    if config is None:
        _fail("--config is required, e.g. --config=configs/sort.py")
    if _SPLIT.value not in tasks.SPLITS:
        _fail(f"unknown split {_SPLIT.value!r}; use one of {', '.join(tasks.SPLITS)}")
    try:
        config_lib.validate(config)
        rows = tasks.examples(config, _SPLIT.value)
    except (config_lib.ConfigError, ValueError) as e:
        _fail(str(e))
    text = "".join(json.dumps({"input": x, "target": y}) + "\n" for x, y in rows)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: the reader has all it wanted
        sys.stderr.close()
        sys.exit(0)


if __name__ == "__main__":
    define_flags()
    app.run(main, flags_parser=cli.flags_parser(prefix=_PREFIX))
