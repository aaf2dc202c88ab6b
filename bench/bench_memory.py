"""Memory and time of each notebook in its own kernel, as a class on a hub meets them (issue 25).

Each notebook of notebooks/ runs top to bottom in a fresh kernel (nbclient, from notebooks/ as a
student's JupyterLab runs it; nothing is written back). A cell added at the end reads the kernel's
peak resident memory (``resource.getrusage(...).ru_maxrss``, what a hub's memory limit is compared
with), the time from the first cell to the last (kernel start excluded) and the kernel's CPU time.
Rows: a bare kernel with the libraries the notebooks import (the floor every notebook pays), each
notebook on the shipped data, then, where Fashion-MNIST is on the machine, notebook 05 with its own
switch ``DATASET = "fashion-mnist"`` and the command line on the same data (the process's peak
resident memory, from ``os.wait4``). MB here are 2**20 bytes. On a busy machine the times grow
(BLAS threads wait for each other); the memory does not.
``--cells NN [--full] [--traced]`` prints, for one notebook, the resident memory after each cell, the
wall and CPU seconds of each cell and, with ``--traced``, the peak of traced allocations (tracemalloc,
which counts numpy's buffers, and slows a loop of many small arrays several times over) while it ran.
Targets: every notebook on the shipped data <= 200 MB; 05 on Fashion-MNIST <= 600 MB and <= 60 s;
the command line on it <= 400 MB.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FASHION = [Path("/usr/share/datasets/fashion-mnist"), ROOT / "data" / "fashion-mnist"]
IDX = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
SHIPPED_MB, FULL_MB, FULL_SECONDS, CLI_MB = 200, 600, 60, 400

BARE = "%matplotlib inline\nimport matplotlib.pyplot, numpy, ipywidgets, PIL.Image, tqdm.auto"
START = "import time as _bench_time\n_bench_t0 = _bench_time.perf_counter()"
END = """import json as _j, resource as _r, sys as _s, time as _t
_u = _r.getrusage(_r.RUSAGE_SELF)
print(_j.dumps(dict(peak_kb=_u.ru_maxrss // (1024 if _s.platform == "darwin" else 1),
                    seconds=_t.perf_counter() - _bench_t0, cpu=_u.ru_utime + _u.ru_stime)))"""
# --cells: after each cell, its resident memory (now and the peak so far), its wall and CPU seconds and, with
# --traced, tracemalloc's peak (-1 without)
CELLS = """import resource as _r, time as _t, tracemalloc as _tm
_bench_cells, _bench_clock = [], [0.0, 0.0]
def _bench_status():
    f = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(f["VmRSS"].split()[0]) // 1024, int(f["VmHWM"].split()[0]) // 1024
def _bench_cpu():
    u = _r.getrusage(_r.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
def _bench_pre(info):
    _bench_clock[:] = _t.perf_counter(), _bench_cpu()
    _tm.reset_peak()
def _bench_post(result):
    _bench_cells.append((*_bench_status(), _tm.get_traced_memory()[1] >> 20 if _tm.is_tracing() else -1,
                         _t.perf_counter() - _bench_clock[0], _bench_cpu() - _bench_clock[1]))
get_ipython().events.register("pre_run_cell", _bench_pre)
get_ipython().events.register("post_run_cell", _bench_post)"""


def fashion_root():
    """A folder holding the four Fashion-MNIST IDX files (.gz or plain), or None."""
    for root in FASHION:
        if all((root / f"{n}.gz").is_file() or (root / n).is_file() for n in IDX):
            return root
    return None


def execute(nb, timeout=1800):
    """Run ``nb`` in a fresh kernel from notebooks/; the JSON printed by its last cell."""
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}},
                   record_timing=False).execute(stderr=subprocess.DEVNULL)  # the kernel's own start-up warnings
    return json.loads(_stdout(nb.cells[-1]).splitlines()[-1])


def _stdout(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def run_notebook(path, overrides=None, cells=False, traced=False):
    """Peak MB, seconds and CPU seconds of notebook ``path`` (rows per cell and their ids with ``cells``)."""
    nb = nbformat.read(path, as_version=4)
    if overrides:  # after the cell tagged "parameters", as papermill does
        at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
        nb.cells.insert(at + 1, nbformat.v4.new_code_cell(overrides))
    ids = [c.get("id", "?") if c.source != overrides else "(override)" for c in nb.cells if c.cell_type == "code"]
    nb.cells.insert(0, nbformat.v4.new_code_cell(START + ("\n" + CELLS if cells else "")
                                                 + ("\n_tm.start()" if cells and traced else "")))
    if cells:
        nb.cells.append(nbformat.v4.new_code_cell("print(__import__('json').dumps(_bench_cells))"))
    nb.cells.append(nbformat.v4.new_code_cell(END))
    last = execute(nb)
    rows = json.loads(_stdout(nb.cells[-2]).splitlines()[-1])[-len(ids):] if cells else []
    return last["peak_kb"] / 1024, last["seconds"], last["cpu"], rows, ids


def run_cli(args):
    """Peak resident MB, wall seconds and CPU seconds of ``python -m helpers.train ARGS``, and its last line."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "helpers.train", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"python -m helpers.train {' '.join(args)} exited with {proc.returncode}: {err.strip()}")
    kb = usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    return kb / 1024, time.perf_counter() - t0, usage.ru_utime + usage.ru_stime, out.strip().splitlines()[-1]


def row(name, data, mb, seconds, cpu, target_mb=None, target_s=None):
    verdict, bound = "", ""
    if target_mb is not None:
        verdict = "ok" if mb <= target_mb and (target_s is None or seconds <= target_s) else "OVER"
        bound = f"<= {target_mb} MB" + (f", <= {target_s} s" if target_s else "")
    print(f"{name:28s}{data:15s}{mb:6.0f} MB{seconds:8.1f} s{cpu:8.1f} s   {bound:21s}{verdict}", flush=True)


def per_cell(number, full, traced):
    path = next(NOTEBOOKS.glob(f"{number}_*.ipynb"))
    root = fashion_root() if full else None
    if full and root is None:
        sys.exit("Fashion-MNIST not found: --full needs it")
    overrides = f'DATASET = "fashion-mnist"\nDATA_DIR = "{root}"' if root else None
    mb, seconds, cpu, rows, ids = run_notebook(path, overrides, cells=True, traced=traced)
    print(f"{path.name}{' on Fashion-MNIST' if root else ''}: peak {mb:.0f} MB, {seconds:.1f} s, CPU {cpu:.1f} s, "
          f"load {os.getloadavg()[0]:.1f} (tracemalloc {'on' if traced else 'off'})")
    print(f"{'cell':28s}{'RSS':>6s}{'peak RSS':>10s}{'traced peak':>13s}{'time':>9s}{'cpu':>9s}   MB, s: each cell")
    for name, (rss, hwm, peak, wall, cpu) in zip(ids, rows):
        print(f"{name:28s}{rss:6d}{hwm:10d}{peak if peak >= 0 else '-':>13}{wall:9.2f}{cpu:9.2f}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cells", metavar="NN", help="per-cell memory of notebook NN instead of the table")
    p.add_argument("--full", action="store_true", help="with --cells 05: on Fashion-MNIST")
    p.add_argument("--traced", action="store_true", help="with --cells: tracemalloc's peak of each cell too (slower)")
    p.add_argument("--only", metavar="NN", nargs="+", help="only these notebooks, on the shipped data")
    args = p.parse_args(argv)
    if args.cells:
        return per_cell(args.cells, args.full, args.traced)
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or f"{os.cpu_count()}"
    print(f"peak resident memory of each kernel (MB = 2**20 bytes), wall time and CPU time from its first cell to "
          f"its last; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, BLAS threads {threads}")
    print(f"{'notebook':28s}{'data':15s}{'peak':>9s}{'time':>10s}{'cpu':>10s}   target")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(START + "\n" + BARE),
                                         nbformat.v4.new_code_cell(END)])
    last = execute(nb)
    row("bare kernel + imports", "-", last["peak_kb"] / 1024, last["seconds"], last["cpu"])
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        if args.only is None or path.name[:2] in args.only:
            row(path.stem, "shipped", *run_notebook(path)[:3], SHIPPED_MB)
    if args.only is not None:
        return
    root = fashion_root()
    if root is None:
        print(f"Fashion-MNIST not found in {' or '.join(map(str, FASHION))}: no full-size rows "
              "(make data, or apt-get install dataset-fashion-mnist)")
        return
    path = next(NOTEBOOKS.glob("05_*.ipynb"))
    row(path.stem, "fashion-mnist", *run_notebook(path, f'DATASET = "fashion-mnist"\nDATA_DIR = "{root}"')[:3],
        FULL_MB, FULL_SECONDS)
    mb, seconds, cpu, summary = run_cli(["--dataset", "fashion-mnist", "--data-dir", str(root), "--json"])
    row("python -m helpers.train", "fashion-mnist", mb, seconds, cpu, CLI_MB)
    print(f"  its last line: {summary}")


if __name__ == "__main__":
    main()
