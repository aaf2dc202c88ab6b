"""`make bench`: every benchmark of the bundle, figures printed, nothing asserted."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

for name in ("bench_size", "bench_train", "bench_explorers", "bench_memory"):
    path = HERE / f"{name}.py"
    if path.exists():
        print(f"== {name}")
        runpy.run_path(str(path), run_name="__main__")
        print()
