"""A student's session, headless: every notebook survives what students do to it.

Each of the 12 notebooks (notebooks/ and exercises/) gets a kernel of its own (nbclient) and:

1. Run All, one cell after another, in a fresh kernel; right after a cell that displays an
   explorer, its continuous sliders get the value the browser sends back on display (the round
   trip ``10 ** position`` of a log slider, the stepped value of a linear one). Each cell's
   outputs are compared with the stored ones as ``pytest --nbval`` compares them (nbval's own
   rules: text outputs only, cells tagged ``nbval-ignore-output`` left out, unrun stored cells
   skipped, tests/nbval_sanitize.cfg applied), so this Run All is the notebooks' nbval run too;
   in a student notebook (exercises/) every check cell must say "not yet written";
2. every control of every explorer (the instances of ``helpers.widgets.base.Explorer`` in the
   user namespace) is moved through the widget's own message handler, with the values the
   browser sends: every slider dragged to both ends and back to the middle (a log slider's
   value is ``base ** position``, the position stepped as noUiSlider steps it), every dropdown
   option chosen, every checkbox flipped, then every button pressed (sliders in the middle,
   so runs stay short);
3. every cell is run again, top to bottom: an explorer's cell makes and shows a new explorer, whose
   sliders get the browser's echo as in 1 (the browser test in CI leaves re-running to this test);
4. the kernel is restarted (a new one); as a student coming back to a notebook does, the set-up and
   import cells are run, then the last cell (the progress table), which must work without the cells
   between. (A Run All after the restart would repeat step 1, which already ran every cell top to
   bottom in a fresh kernel.)

No cell may show an error output at any point. The number of controls moved and cells run
again is printed in pytest's summary ("student sessions"), with the time of each phase.

The sessions run SESSION_JOBS at a time (default: the number of cores): the work is in the
kernels, one process each, while this process mostly waits. They start in the background before the
first unit test (tests/conftest.py) and these tests run last, so in `make test` the unit tests run
beside them.
"""

import difflib
import json
import os
import re
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from jupyter_core.utils import ensure_event_loop
from nbclient import NotebookClient
from nbval.plugin import (
    coalesce_streams,
    find_comment_markers,
    find_metadata_tags,
    get_sanitize_patterns,
    transform_streams_for_comparison,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted(
    (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TIMEOUT = 600  # one cell, seconds: the machine is small and shared
JOBS = max(1, int(os.environ.get("SESSION_JOBS") or os.cpu_count() or 1))

# The browser's side (tests/_browser.py), sent whole into each kernel as a module of its own.
KERNEL_CODE = f"""import types as _types
_session = _types.ModuleType("_session")
exec({(Path(__file__).with_name("_browser.py")).read_text(encoding="utf-8")!r}, _session.__dict__)
del _types
"""


def _errors(cell, where):
    """One line per error output (or traceback on stderr) of a cell."""
    found = []
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            found.append(f"{where}: {out.ename}: {out.evalue}"[:300])
        elif out.output_type == "stream" and out.name == "stderr" and "Traceback" in out.text:
            found.append(f"{where}: traceback on stderr: {out.text.strip().splitlines()[-1]}"[:300])
    return found


# nbval's comparison (nbval.plugin.IPyNbFile / IPyNbCell.compare_outputs, --nbval without --nbdime):
# what it never compares, and the sanitize file `make test` has always given it.
NBVAL_SKIP_COMPARE = ("metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
                      WIDGET_VIEW, "image/png", "image/jpeg")
SANITIZE = get_sanitize_patterns((ROOT / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8"))


def _sanitize(value):
    if isinstance(value, str):
        for regex, replace in SANITIZE:
            value = re.sub(regex, replace, value)
    return value


def _flatten(outputs):
    """nbval's view of a cell's outputs: key (stream name or MIME type) -> the sanitized values, in order."""
    flat = defaultdict(list)
    for out in transform_streams_for_comparison(coalesce_streams(outputs)):
        for key, value in out.items():
            if key == "data":
                for mime, data in value.items():
                    if mime not in NBVAL_SKIP_COMPARE:
                        flat[mime].append(_sanitize(data))
            elif key not in NBVAL_SKIP_COMPARE:
                flat[key].append(_sanitize(value))
    return flat


def _show(values):
    return "\n".join("  " + line for v in values for line in str(v).splitlines()) or "  (nothing)"


def _outputs_differ(stored, ran, where):
    """What ``pytest --nbval`` would report for this cell: [] when its outputs match the stored ones,
    None when nbval would not compare them."""
    options = defaultdict(bool, find_metadata_tags(stored.metadata))
    options.update(find_comment_markers(stored.source))
    if options["skip"] or not options.get("check", True):
        return None
    if stored.execution_count is None:  # an unrun stored cell: nbval checks only that it has no outputs
        return [f"{where}: unrun reference cell has outputs"] if stored.outputs else None
    # a copy: coalescing merges stream texts in place, and the run's cell is run again later
    want, got = _flatten(nbformat.from_dict(stored.outputs)), _flatten(nbformat.from_dict(ran.outputs))
    head = (f"{where}: cell outputs differ from the stored ones (as nbval compares them)\n"
            f"Input:\n{_show([stored.source])}\n")
    if set(want) != set(got):
        return [head + f"missing output fields: {sorted(set(want) - set(got))}, unexpected: "
                f"{sorted(set(got) - set(want))}\nstored:\n{_show(sum(want.values(), []))}\n"
                f"now:\n{_show(sum(got.values(), []))}"]
    for key in want:
        if len(want[key]) != len(got[key]):
            return [head + f"dissimilar number of outputs for {key!r}\nstored:\n{_show(want[key])}\n"
                    f"now:\n{_show(got[key])}"]
        for a, b in zip(want[key], got[key]):
            if a != b:
                diff = difflib.unified_diff(str(a).splitlines(), str(b).splitlines(), "stored", "now", lineterm="")
                return [head + f"mismatch {key!r}:\n" + "\n".join("  " + line for line in diff)]
    return []


def _waits_for_an_answer(cell, where):
    """A check cell of a student notebook as handed out: every line says "not yet written"."""
    if not re.search(r"^check\(", cell.source, re.M):
        return []
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    lines = text.strip().splitlines()
    if lines and all(line.endswith("not yet written (replace the `raise NotImplementedError` line with your code)")
                     for line in lines):
        return []
    return [f"{where}: a check of the student version does not say 'not yet written':\n{text[:300]}"]


def _widget_ids(cell):
    return {out.data[WIDGET_VIEW]["model_id"] for out in cell.get("outputs", [])
            if out.output_type == "display_data" and WIDGET_VIEW in out.get("data", {})}


def _client(nb, path):
    return NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", allow_errors=True,
                          resources={"metadata": {"path": str(path.parent)}})


def _run_code(client, nb, source):
    """Run ``source`` in the kernel as a cell of its own (kept out of the history); its outputs."""
    cell = nbformat.v4.new_code_cell(source)
    nb.cells.append(cell)
    try:
        client.execute_cell(cell, len(nb.cells) - 1, store_history=False)
    finally:
        nb.cells.pop()
    return cell


def _display_echo(client, nb, i, figures, where):
    """After cell ``i`` showed widgets: what the browser sends back on display (the round trip of each
    continuous slider's value), run through the widgets' own handlers; the errors it caused."""
    ids = _widget_ids(nb.cells[i])
    if not ids:
        return []
    echo = _run_code(client, nb, f"_session.on_display(globals(), {sorted(ids)!r})")
    figures["echoes"] += _last_json(echo).get("echoes", 0)
    return _errors(echo, where)


def _last_json(cell):
    text = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    lines = [line for line in text.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def student_session(path):
    """Run the whole session on one notebook; returns (errors, figures)."""
    nb = nbformat.read(path, as_version=4)
    stored = nbformat.read(path, as_version=4)  # the committed outputs
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    number = {i: k for k, i in enumerate(i for i, c in enumerate(nb.cells) if c.cell_type == "code")}  # nbval's
    student = path.parent.name == "exercises"
    errors, figures = [], {"echoes": 0, "controls": 0, "moves": 0, "presses": 0, "rerun": 0, "compared": 0}
    t0 = time.perf_counter()
    client = _client(nb, path)
    with client.setup_kernel():
        tools = _run_code(client, nb, KERNEL_CODE)
        errors += _errors(tools, "session tools")
        # 1. Run All, with the browser's echo of every explorer's sliders as it appears
        for i in code:
            client.execute_cell(nb.cells[i], i)
            errors += _errors(nb.cells[i], f"run all, cell {i}")
            differ = _outputs_differ(stored.cells[i], nb.cells[i], f"run all, cell {i} (nbval's Cell {number[i]})")
            figures["compared"] += differ is not None
            errors += differ or []
            if student:
                errors += _waits_for_an_answer(nb.cells[i], f"run all, cell {i}")
            errors += _display_echo(client, nb, i, figures, f"display of cell {i}")
        t1 = time.perf_counter()
        # 2. every control of every explorer
        moved = _run_code(client, nb, "_session.move_all(globals())")
        errors += _errors(moved, "moving the controls")
        report = _last_json(moved)
        for key in ("controls", "moves", "presses"):
            figures[key] += report.get(key, 0)
        t2 = time.perf_counter()
        # 3. every cell again, top to bottom: an explorer's cell makes and shows a new explorer (with the echo)
        for i in code:
            client.execute_cell(nb.cells[i], i)
            figures["rerun"] += 1
            errors += _errors(nb.cells[i], f"run again after the moves, cell {i}")
            errors += _display_echo(client, nb, i, figures, f"display of cell {i}, run again")
    t3 = time.perf_counter()
    # 4. restart (a new kernel, as Kernel > Restart gives): set-up and imports, then the last cell
    fresh = nbformat.read(path, as_version=4)
    imports = next(i for i in code if "from coursework import" in fresh.cells[i].source)
    client = _client(fresh, path)
    with client.setup_kernel():
        for i in [i for i in code if i <= imports] + [code[-1]]:
            client.execute_cell(fresh.cells[i], i)
            errors += _errors(fresh.cells[i], f"restart, imports and the last cell: cell {i}")
        last = "".join(o.get("text", "") for o in fresh.cells[code[-1]].outputs)
        if "not run" not in last:
            errors.append(f"restart, then the last cell alone: no exercise reported as not run:\n{last[:300]}")
    t4 = time.perf_counter()
    figures.update(seconds=t4 - t0, run_all=t1 - t0, moving=t2 - t1, again=t3 - t2, restart=t4 - t3)
    return errors, figures


def _session_in_thread(path):
    """:func:`student_session` in a worker thread; the thread's event loop (nbclient's) is closed after it."""
    try:
        return student_session(path)
    finally:
        ensure_event_loop().close()


FIGURES = {}


class _Summary:
    """Prints the session figures at the end of pytest's report (the lead needs them)."""

    def pytest_terminal_summary(self, terminalreporter):
        if not FIGURES:
            return
        tr = terminalreporter
        tr.section("student sessions")
        keys = ("controls", "moves", "presses", "echoes", "rerun", "compared", "seconds", "run_all", "moving", "again",
                "restart")
        total = dict.fromkeys(keys, 0)
        for name, f in sorted(FIGURES.items()):
            tr.write_line(f"{name:45s} {f['controls']:3d} controls ({f['moves']} moves, {f['presses']} presses, "
                          f"{f['echoes']} display echoes), {f['rerun']:3d} cells run again; {f['seconds']:4.0f} s "
                          f"(run all {f['run_all']:.0f}, moves {f['moving']:.0f}, again {f['again']:.0f}, "
                          f"restart and the last cell {f['restart']:.0f}); {f['compared']} cells' outputs compared")
            for key in total:
                total[key] += f[key]
        tr.write_line(f"{len(FIGURES)} notebooks: {total['controls']} controls moved ({total['moves']} moves, "
                      f"{total['presses']} button presses), {total['rerun']} cells run again, "
                      f"{total['compared']} cells' outputs compared with the stored ones; "
                      f"{time.perf_counter() - self.start:.0f} s with {JOBS} at a time "
                      f"({total['seconds']:.0f} s of sessions)")


_STARTED = {}  # this pytest run's sessions: "pool" and "futures" (path -> future)


def start_sessions(config, paths):
    """Start the session of each of ``paths`` in background kernels, JOBS at a time, once per run; returns
    path -> future. conftest.py calls it before the first test that does not measure the whole process, so
    the unit tests run beside the kernels (this process mostly waits on them) and these tests come last."""
    if "futures" not in _STARTED:
        summary = _Summary()
        summary.start = time.perf_counter()
        config.pluginmanager.register(summary, "student-sessions-summary")
        pool = ThreadPoolExecutor(JOBS, thread_name_prefix="session")
        _STARTED.update(pool=pool, futures={path: pool.submit(_session_in_thread, path) for path in paths})
    return _STARTED["futures"]


def stop_sessions():
    """Wait for the sessions that are running and drop those not started (a run that ends early)."""
    pool = _STARTED.pop("pool", None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def session_paths(items):
    """The notebooks of the selected items of this module (what conftest.py and the fixture start)."""
    return [item.callspec.params["path"] for item in items if getattr(item, "module", None) is sys.modules[__name__]
            and "path" in getattr(getattr(item, "callspec", None), "params", {})]


@pytest.fixture(scope="module")
def sessions(request):
    """The session of every selected notebook (started by conftest.py, or here): path -> future."""
    yield start_sessions(request.config, session_paths(request.session.items))
    stop_sessions()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_a_students_session_leaves_no_error(path, sessions):
    errors, figures = sessions[path].result()
    FIGURES[f"{path.parent.name}/{path.name}"] = figures
    assert figures["controls"] > 0, "no explorer control was found to move"
    assert not errors, f"{len(errors)} problem(s):\n" + "\n".join(errors)


def test_the_output_comparison_reports_what_nbval_reports():
    """The comparison of step 1 can fail: a changed digit, a missing output, a new stderr line; and it
    leaves alone what nbval leaves alone (sanitized addresses, images, cells tagged nbval-ignore-output)."""
    new = nbformat.v4
    stored = new.new_code_cell("print(x)", execution_count=1, outputs=[
        new.new_output("stream", name="stdout", text="loss 0.1234\n"),
        new.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure size 640x480 with 1 Axes>"})])
    same = nbformat.from_dict(stored)
    same.outputs[1].data.update({"image/png": "other", "text/plain": "<Figure size 600x400 with 2 Axes>"})
    assert _outputs_differ(stored, same, "cell 3") == []
    digit = nbformat.from_dict(stored)
    digit.outputs[0].text = "loss 0.1235\n"
    (report,) = _outputs_differ(stored, digit, "cell 3")
    assert "cell 3: cell outputs differ" in report and "-loss 0.1234" in report and "+loss 0.1235" in report
    assert "print(x)" in report  # the cell's source, as nbval shows it
    warned = nbformat.from_dict(stored)
    warned.outputs.append(new.new_output("stream", name="stderr", text="RuntimeWarning: overflow\n"))
    assert "unexpected: ['stderr']" in _outputs_differ(stored, warned, "cell 3")[0]
    nothing = new.new_code_cell("print(x)")
    assert "missing output fields: ['stdout', 'text/plain']" in _outputs_differ(stored, nothing, "cell 3")[0]
    stored.metadata["tags"] = ["nbval-ignore-output"]
    assert _outputs_differ(stored, digit, "cell 3") is None
    assert _outputs_differ(new.new_code_cell("x"), digit, "cell 3") is None  # never run when stored
