"""`make bench`: every benchmark of the bundle, figures printed, nothing asserted.

Each benchmark runs in a process of its own: a kernel or command a benchmark starts inherits its
parent's peak resident memory on Linux (ru_maxrss survives fork and exec), so a benchmark that
loaded Fashion-MNIST would otherwise raise every later kernel's measured peak to its own.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

status = 0
for name in ("bench_size", "bench_train", "bench_explorers", "bench_memory", "bench_tests"):
    path = HERE / f"{name}.py"
    if path.exists():
        print(f"== {name}", flush=True)
        status = subprocess.run([sys.executable, str(path)], cwd=HERE.parent).returncode or status
        print(flush=True)
sys.exit(status)
