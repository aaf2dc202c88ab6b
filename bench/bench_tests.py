"""How long the tests take (issue 23's budgets, on this 2-core machine): the unit tests alone (make test's
selection without the live-session test) in <= 40 s, and ``make test`` (the unit tests beside the
live-session test of every notebook) in <= 4 minutes.

Each runs once, in a process of its own: wall time, the CPU time of it and its children (the session
kernels included), and the load average before and after, since the machine may be shared.
"""

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"unit tests": 40, "make test": 240}


def unit_tests_command():
    """make test's pytest command without the live-session test: the markers it leaves to other targets are
    read from the Makefile (ELSEWHERE), so that both select the same tests."""
    elsewhere = re.search(r"^ELSEWHERE := (.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)[1]
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:nbval", "-m", f"not ({elsewhere})",
            "--ignore=tests/test_sessions.py", "tests"]


def timed(command):
    """(wall s, CPU s of the command and its children, load before, load after, its output, exit status)."""
    load = os.getloadavg()[0]
    before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall, after = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, load, os.getloadavg()[0], proc.stdout, proc.returncode


def main():
    status = 0
    for name, command in (("unit tests", unit_tests_command()), ("make test", ["make", "test"])):
        wall, cpu, load0, load1, out, code = timed(command)
        lines = out.strip().splitlines()
        result = next((line for line in reversed(lines) if " passed" in line or " failed" in line), "no summary")
        target = TARGETS[name]
        print(f"{name:10s} {wall:6.0f} s wall, {cpu:4.0f} s CPU (load {load0:.1f} before, {load1:.1f} after); "
              f"target <= {target} s: {'met' if wall <= target else 'over'}   [{result.strip('= ')}]")
        sessions = next((line for line in lines if re.match(r"\d+ notebooks: ", line)), None)
        if sessions:
            print(f"           of which the live-session test: {sessions.rpartition('; ')[2]}")
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main())
