"""One-line errors for the command-line modules' flags and `--config` files.

absl and ml_collections answer plain user mistakes (a typo in `--config.model.n_layer=2`, a config path that
does not exist, a config file that raises) with tracebacks of their own internals, some at flag parsing and
some deferred to the first access of the config. These helpers turn both into one line and exit code 1.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import TypeVar

import ml_collections
from absl import flags
from ml_collections import config_flags

T = TypeVar("T")


def one_line(e: BaseException) -> str:
    """The last non-empty line of an error's message: for a traceback quoted in a message, its final line."""
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return lines[-1] if lines else type(e).__name__


def _missing_field(e: BaseException, argv: list[str], what: str) -> str:
    """ml_collections' answer to an override of a field the config lacks, as `--config.a.b: ... no field 'b'`."""
    text = str(e).replace("\\'", "'").replace("\\n", "\n")
    match, hint = re.search(r"'(\w+)'", text), re.search(r'Did you mean "(\w+)"', text)
    field = match[1] if match else one_line(e)
    given = [a.split("=")[0] for a in argv if a.startswith("--") and field in a.split("=")[0].split(".")[1:]]
    hint = f" (did you mean {hint[1]!r}?)" if hint else ""
    return f"{given[0] if given else 'a --config override'}: the {what} has no field {field!r}{hint}"


def flags_parser(what: str = "config", prefix: str = "error: ") -> Callable[[list[str]], list[str]]:
    """A `flags_parser` for `absl.app.run` that reports a bad flag or `--config` override in one line.

    `what` names the config in the message ("sweep config" where --config is a sweep file); `prefix` starts the
    line (a module may name itself there)."""

    def parse(argv: list[str]) -> list[str]:
        try:
            return flags.FLAGS(argv)
        except (AttributeError, KeyError) as e:  # an override names no field of the config
            sys.exit(prefix + _missing_field(e, argv, what))
        except Exception as e:  # noqa: BLE001 - flag parsing runs the config file, which may raise anything
            sys.exit(f"{prefix}bad command line: {one_line(e)}")

    return parse


def define_flags(define: Callable[[], T], what: str = "config", prefix: str = "error: ") -> T:
    """`define()`, with the same one-line errors as `flags_parser`: a config flag with a default file reads
    its `--config.x` overrides from sys.argv when it is defined, before any parsing."""
    try:
        return define()
    except (AttributeError, KeyError) as e:
        sys.exit(prefix + _missing_field(e, sys.argv, what))


def config_value(
    holder: flags.FlagHolder, prefix: str = "error: ", flag: str = "config"
) -> ml_collections.ConfigDict | None:
    """The config a `DEFINE_config_file` flag holds (None if unset), or one line and exit 1 if it failed to load.

    ml_collections defers some load failures (a missing file, an error in `get_config`) to the first access."""
    try:
        config = holder.value
        if config is not None:
            config.keys()  # a config that failed to load raises here
    except Exception as e:  # noqa: BLE001 - a broken config file may raise anything
        cause = e.__cause__ or e
        path = config_flags.get_config_filename(flags.FLAGS[flag])
        sys.exit(f"{prefix}cannot load --{flag}={path}: {one_line(cause)}")
    return config
