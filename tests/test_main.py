"""`python -m tpjax.main` answers a user's mistakes with one line, exit code 1 and no files left behind."""

import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _main(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "tpjax.main", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def _one_line_error(proc) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.parametrize("args, message", [
    (["--config=configs/sort.py", "--config.model.n_layer=2"],
     "error: --config.model.n_layer: the config has no field 'n_layer' (did you mean 'n_layers'?)"),
    (["--config=configs/nosuch.py"],
     "error: cannot load --config=configs/nosuch.py: [Errno 2] No such file or directory: 'configs/nosuch.py'"),
    (["--config=configs/sort.py:foo"],
     "error: bad command line: TypeError: get_config() takes 0 positional arguments but 1 was given"),
    (["--config=configs/standard.py:histt"], "error: bad command line: ValueError: no task config configs/histt.py; "
     "use one of addition, addition_hints, double_hist, dyck1, dyck2, hist, induction, most_freq, reverse, sort"),
    (["--config=configs/sort.py", "--config.n_epochs=x"],
     "error: bad command line: flag --config.n_epochs=x: invalid literal for int() with base 10: 'x'"),
    (["--config=configs/sort.py", "--config.seed=3", "--config.model.seed=1"],  # the override at fault is named
     "error: --config.model.seed: the config has no field 'seed'"),
    (["--config=configs/sort.py", "--config.model.n_layers.x=1"],
     "error: --config.model.n_layers.x: the config has no field 'x'"),
    (["--config=configs/sort.py", "extra"], "error: unexpected arguments 'extra' (flags are --name=value)"),
])
def test_a_bad_config_flag_is_one_line(tmp_path, args, message):
    assert _one_line_error(_main(*args, f"--workdir={tmp_path / 'w'}")) == message
    assert not (tmp_path / "w").exists()


def test_a_workdir_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("")
    for workdir in ("afile", "afile/sub"):
        line = _one_line_error(_main("--config=configs/sort.py", f"--workdir={tmp_path / workdir}"))
        assert line == f"error: --workdir {tmp_path / workdir}: {tmp_path / 'afile'} is a file, not a folder"
    assert os.listdir(tmp_path) == ["afile"]


def test_data_too_small_for_every_split_is_refused_before_any_file_is_written(tmp_path):
    line = _one_line_error(_main("--config=configs/sort.py", "--config.data.size=5", f"--workdir={tmp_path / 'w'}"))
    assert line == ("error: config.data.size=5 at test_frac=0.1 gives splits of train 5, val 0, test 0 examples: "
                    "raise config.data.size")
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("body, message", [
    ("def get_config():\n    return {'task': 'sort'}\n",
     "get_config() must return an ml_collections.ConfigDict, not dict"),
    ("X = 1\n", "bad command line: module 'config_config' has no attribute 'get_config'"),
    ("def get_config():\n    raise KeyError('x')\n", "bad command line: 'x'"),  # not blamed on an override
])
def test_a_broken_config_file_is_one_line(tmp_path, body, message):
    (tmp_path / "broken.py").write_text(body)
    line = _one_line_error(_main(f"--config={tmp_path / 'broken.py'}", f"--workdir={tmp_path / 'w'}"))
    assert line.startswith("error: ") and line.endswith(message)
    assert not (tmp_path / "w").exists()


def test_check_workdir_trains_nothing_and_names_the_field_that_differs(tmp_path):
    workdir = tmp_path / "w"
    assert _one_line_error(_main("--config=configs/sort.py", "--check_workdir")) == (
        "error: --check_workdir needs --workdir")
    workdir.mkdir()
    assert _one_line_error(_main("--config=configs/sort.py", "--check_workdir", f"--workdir={workdir}")) == (
        f"error: {workdir} has no config.json: not the workdir of a tpjax run")
    config = subprocess.run([sys.executable, "-c", "import json, sys; from configs.sort import get_config; "
                             "from tpjax.train import records; json.dump(records.config_dict(get_config()), sys.stdout)"],
                            cwd=REPO, capture_output=True, text=True, check=True).stdout
    (workdir / "config.json").write_text(config)
    same = _main("--config=configs/sort.py", "--check_workdir", f"--workdir={workdir}")
    assert same.returncode == 0 and same.stdout == f"{workdir}: a run of this config\n", same.stderr
    line = _one_line_error(_main("--config=configs/sort.py", "--config.n_epochs=7", "--check_workdir",
                                 f"--workdir={workdir}"))
    assert line == (f"error: {workdir} holds a run of another config (n_epochs=7 here, 250 there); "
                    "use a fresh --workdir, or the config it was started with")
    assert sorted(os.listdir(workdir)) == ["config.json"]
