"""Files written whole or not at all: readers (and a run killed mid-write) never see half a file.

Kept apart from tpjax.train so that the command lines that only read and summarise runs (sweep summaries,
report, length_gen) write atomically without importing the training stack.
"""

from __future__ import annotations

import os
import shutil
import uuid


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Write to a uniquely named temporary file, then rename: readers never see a half-written file, and
    writers side by side (sweep shards, on this machine or others sharing the folder) never share a temporary.

    The file keeps its permissions, a symlink keeps pointing at it, and a failed write leaves no temporary file.
    """
    path = os.path.realpath(path)
    tmp = f"{path}.{uuid.uuid4().hex}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        if os.path.exists(path):
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_text_atomic(path: str, text: str) -> None:
    """`text` as UTF-8, newlines as given, by write_bytes_atomic."""
    write_bytes_atomic(path, text.encode("utf-8"))
