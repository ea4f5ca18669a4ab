"""One-line errors for the command-line modules' flags and `--config` files.

absl and ml_collections answer plain user mistakes (a typo in `--config.model.n_layer=2`, a config path that
does not exist, a config file that raises) with tracebacks of their own internals, some at flag parsing and
some deferred to the first access of the config. These helpers turn both into one line and exit code 1.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Callable
from typing import TypeVar

import ml_collections
from absl import flags
from ml_collections import config_flags

T = TypeVar("T")
# The name every tpjax command line gives its config-file flag, whose `--config.x` overrides are checked here.
FLAG = "config"


def one_line(e: BaseException) -> str:
    """The last non-empty line of an error's message: for a traceback quoted in a message, its final line."""
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return lines[-1] if lines else type(e).__name__


def _first_missing(config: ml_collections.ConfigDict, path: list[str]) -> str | None:
    """The first part of a dotted override path that the config lacks (None if the whole path exists)."""
    node = config
    for part in path:
        if not isinstance(node, ml_collections.ConfigDict) or part not in node:
            return part
        node = node[part]
    return None


def load_config_file(spec: str) -> ml_collections.ConfigDict:
    """`get_config()` of a config file named as on the command line, `PATH` or `PATH:ARG` (`get_config(ARG)`),
    loaded by path (configs/ is not a package)."""
    path, _, arg = spec.partition(":")
    name = "tpjax_config_" + re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.get_config(*([arg] if arg else []))


def _load_again(argv: list[str]) -> ml_collections.ConfigDict | None:
    """The config `--config=FILE[:ARG]` names (or the flag's default file), loaded afresh to check overrides
    against: absl has not stored it when an override fails. None if it cannot be loaded."""
    spec = next((a.split("=", 1)[1] for a in reversed(argv) if a.startswith(f"--{FLAG}=")), None)
    try:
        return load_config_file(spec or flags.FLAGS[FLAG].default_as_str.strip("'"))
    except Exception:  # noqa: BLE001 - then the error's own text names the field
        return None


def _missing_field(e: BaseException, argv: list[str], what: str) -> str | None:
    """`--config.a.b: the config has no field 'b'` for the override that names no field of the config, or None
    when no override is to blame (the config file itself raised)."""
    text = str(e).replace("\\'", "'").replace("\\n", "\n")
    overrides = [a.split("=", 1)[0] for a in argv if a.startswith(f"--{FLAG}.")]
    config = _load_again(argv)
    if isinstance(config, ml_collections.ConfigDict):
        bad = [(name, field) for name in overrides if (field := _first_missing(config, name.split(".")[1:]))]
    else:  # no config to check against: the field the error names
        path = re.search(r"Attempting to lookup: ([\w.]+)", text)
        named = path[1].split(".")[-1] if path else (re.findall(r"'(\w+)'", text) or [None])[0]
        bad = [(name, named) for name in overrides if named in name.split(".")[1:]]
    if not bad:
        return None
    name, field = bad[0]
    hint = re.search(rf'Did you mean "(\w+)" instead of "{re.escape(field)}"', text)
    hint = f" (did you mean {hint[1]!r}?)" if hint else ""
    return f"{name}: the {what} has no field {field!r}{hint}"


def flags_parser(what: str = "config", prefix: str = "error: ") -> Callable[[list[str]], list[str]]:
    """A `flags_parser` for `absl.app.run` that reports a bad flag or `--config` override in one line.

    `what` names the config in the message ("sweep config" where --config is a sweep file); `prefix` starts the
    line (a module may name itself there)."""

    def parse(argv: list[str]) -> list[str]:
        try:
            return flags.FLAGS(argv)
        except Exception as e:  # noqa: BLE001 - flag parsing runs the config file, which may raise anything
            sys.exit(prefix + _one_line_for(e, argv, what))

    return parse


def _one_line_for(e: BaseException, argv: list[str], what: str) -> str:
    if isinstance(e, (AttributeError, KeyError)):  # ml_collections' answer to an override of a missing field
        message = _missing_field(e, argv, what)
        if message:
            return message
    return f"bad command line: {one_line(e)}"


def define_flags(define: Callable[[], T], what: str) -> T:
    """`define()`, with the same one-line errors as `flags_parser`: a config flag with a default file reads
    its `--config.x` overrides from sys.argv when it is defined, before any parsing."""
    try:
        return define()
    except Exception as e:  # noqa: BLE001 - as in flags_parser
        sys.exit("error: " + _one_line_for(e, sys.argv, what))


def define_config_file(default: str, help_text: str) -> flags.FlagHolder:
    """A module-level `--config` flag with a default file (the benchmarks'), its overrides read as define_flags
    reads them; read its value with config_value."""
    return define_flags(lambda: config_flags.DEFINE_config_file(FLAG, default, help_text), "config")


def config_value(holder: flags.FlagHolder, prefix: str = "error: ") -> ml_collections.ConfigDict | None:
    """The config a `DEFINE_config_file` flag holds (None if unset), or one line and exit 1 if it failed to load.

    ml_collections defers some load failures (a missing file, an error in `get_config`) to the first access."""
    try:
        config = holder.value
        if config is not None:
            config.keys()  # a config that failed to load raises here
        if config is not None and not isinstance(config, ml_collections.ConfigDict):
            raise TypeError(f"get_config() must return an ml_collections.ConfigDict, not {type(config).__name__}")
    except Exception as e:  # noqa: BLE001 - a broken config file may raise anything
        cause = e.__cause__ or e
        path = config_flags.get_config_filename(flags.FLAGS[holder.name])
        sys.exit(f"{prefix}cannot load --{holder.name}={path}: {one_line(cause)}")
    return config


def file_in_the_way(path: str) -> str | None:
    """The file that keeps `path` from being (or becoming) a folder: `path` itself or a parent; None if none."""
    path = os.path.abspath(path or ".")
    while not os.path.exists(path):
        path = os.path.dirname(path)
    return None if os.path.isdir(path) else path
