"""The generated blocks of a markdown file: the lines between `<!-- report:NAME -->` and `<!-- /report:NAME -->`
are replaced by a generated table and the prose around them is left alone (tpjax.experiments.report fills
docs/results.md so)."""

from __future__ import annotations

import re

from tpjax.experiments import aggregate


class ReportError(ValueError):
    """A report that cannot be made (a file that cannot take the generated blocks, a run folder the tables
    cannot use); its message is one line meant for the user."""


def markers(name: str) -> tuple[str, str]:
    """The begin and end marker lines of block `name`."""
    return f"<!-- report:{name} -->", f"<!-- /report:{name} -->"


def fill(text: str, generated: dict[str, str], source: str = "the file") -> str:
    """`text` with each block's lines replaced by its table (LF line ends).

    Every block needs its begin and end marker once each, each on a line of its own, in that order, and blocks
    may not overlap; otherwise ReportError, and nothing is replaced.
    """
    spans = []
    for name in generated:
        begin, end = markers(name)
        starts = [m.start() for m in re.finditer(f"^{re.escape(begin)}$", text, re.M)]
        stops = [m.end() for m in re.finditer(f"^{re.escape(end)}$", text, re.M)]
        if (text.count(begin), text.count(end), len(starts), len(stops)) != (1, 1, 1, 1) or stops[0] < starts[0]:
            raise ReportError(
                f"{source} needs one line '{begin}' and, after it, one line '{end}' (the {name} table goes between)"
            )
        spans.append((starts[0], stops[0], name))
    spans.sort()
    for (_, stop, outer), (start, _, inner) in zip(spans, spans[1:]):
        if start < stop:
            raise ReportError(f"{source}: the {inner} block starts inside the {outer} block")
    for start, stop, name in reversed(spans):
        begin, end = markers(name)
        text = text[:start] + f"{begin}\n{generated[name]}\n{end}" + text[stop:]
    return text


def write(path: str, generated: dict[str, str]) -> None:
    """Replace the blocks of the markdown file at `path` in place (atomically), keeping its line ends."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    crlf = "\r\n" in text
    filled = fill(text.replace("\r\n", "\n") if crlf else text, generated, path)
    try:
        aggregate.write_text_atomic(path, filled.replace("\n", "\r\n") if crlf else filled)
    except OSError as e:
        raise ReportError(f"cannot write {path}: {e.strerror}") from None
