"""Whole-or-nothing writes: the old file survives a failed write, permissions and symlinks are kept."""

import os
import stat

import pytest

from tpjax.atomic_files import write_bytes_atomic, write_text_atomic


def test_a_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "summary.md"
    write_text_atomic(str(path), "first\n")
    write_text_atomic(str(path), "second\r\n")
    assert path.read_bytes() == b"second\r\n" and os.listdir(tmp_path) == ["summary.md"]


def test_permissions_and_symlinks_are_kept(tmp_path):
    target = tmp_path / "results.json"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    write_bytes_atomic(str(link), b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "metrics.jsonl"
    path.write_text("kept")

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_text_atomic(str(path), "lost")
    assert path.read_text() == "kept" and os.listdir(tmp_path) == ["metrics.jsonl"]
