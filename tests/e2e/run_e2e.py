"""Real-browser end-to-end test: a student's session in every notebook, in JupyterLab and Notebook 7.

For each notebook (notebooks/ and exercises/), in JupyterLab (/lab/tree/...) and in Jupyter
Notebook 7 (/notebooks/..., the same server), the script opens the notebook, clears the stored
outputs and runs all cells through the menus (Edit > Clear Outputs of All Cells, Run > Run All
Cells), waits until every code cell has a fresh execution count and the kernel is idle, and
checks that no cell shows an error. Then it works every explorer as a student does: each
slider dragged with the mouse by its handle to both ends and back to the middle (the browser
sends its own values, ``10 ** position`` for a learning rate), each dropdown through its
options, each checkbox ticked, each button pressed (the sliders in the middle), waiting for the
kernel after each; it checks that each explorer's image changed; then Run All once more
(not with --ci: in CI the headless session test, tests/test_sessions.py, runs every cell again
after the moves, explorers' cells included, so the browser does not repeat it). No
error may appear anywhere: not in a cell, and not in the kernel's messages (an error raised in
a widget callback is sent to the page but shown in no cell; the page's kernel connection is
watched for it). Screenshots go to build/e2e/; the first explorer of each solution notebook in
JupyterLab (its first figure when it has none) is copied to docs/screenshots/<stem>.png.

Then a student's session with one exercise notebook (exercises/01_rosenbrock.ipynb): run
it as handed out (every check says "not yet written"), write a wrong answer into the
exercise cell (the source's sign slip), run it and its check (the hint appears), then the
right answer (the check says correct). The answers are typed into the cell editor; what
the check must print is computed here with coursework.verdict on the same code.

    .venv/bin/python tests/e2e/run_e2e.py [--no-docs] [--exercise-only] [--ui {lab,notebook,both}] [NOTEBOOK ...]

NOTEBOOK: a name (notebooks/NAME) or a path under the repository (exercises/01_rosenbrock.ipynb).
The browser is Debian's chromium (/usr/bin/chromium) driven by Playwright; Playwright never
downloads a browser of its own. The JupyterLab server runs from this interpreter's
environment on 127.0.0.1, on a free port, with a random token (passed in the environment,
not on the command line other users can read; the browser logs in with it once, and XSRF
checks stay on) and throw-away settings (autosave off, so the committed notebooks are never
written); a request without the token is checked to be refused before anything runs, and
the server is stopped at the end, also on failure. Notebook 7 keeps its own settings (autosave
on), so it works on copies of the notebooks in build/e2e/notebook7/. Each page gets
``exposeAppInBrowser`` set in its configuration (a script run before its own) so that the test
can watch the kernel connection. The last line is ``N passed, M failed``; the exit status is 1
when anything failed. Not collected by pytest (the file name does not start with test_).
"""

import argparse
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
EXERCISES = REPO / "exercises"
EXERCISE = ("01_rosenbrock.ipynb", "rosenbrock_grad", "- 2 * (1 - x1)", "+ 2 * (1 - x1)")
OUT = REPO / "build" / "e2e"
DOCS = REPO / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic"]
VIEWPORT = {"width": 1500, "height": 1000}
DOCS_MAX_BYTES = 300_000

# Seconds. The machine is small and shared: generous limits, short polls.
SCALE = float(os.environ.get("E2E_TIMEOUT_SCALE", "1"))
T_SERVER = 120 * SCALE     # server answers /api/status
T_OPEN = 120 * SCALE       # notebook rendered and its kernel idle
T_RUN = 300 * SCALE        # Run All Cells finished
T_IMAGE = 60 * SCALE       # explorer image loaded
T_MOVE = 300 * SCALE       # the kernel idle again after a control moved (Train runs to its end)
UIS = {"lab": "JupyterLab", "notebook": "Notebook 7"}
POLL = 0.25
DRAGS = (0, 100, 50)  # where each slider is dragged, in percent of its track (--ci: (100, 50))
RUN_AGAIN = True  # Run All once more after the controls (--ci: False; the headless session test does it)


class Failure(Exception):
    """A notebook failed; the message is the reason printed on its line."""


def log(msg=""):
    print(msg, flush=True)


def rel(path):
    try:
        return str(Path(path).relative_to(REPO))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- server
def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_settings(settings_dir):
    """Throw-away JupyterLab user settings: nothing is saved, fetched or virtualized."""
    settings = {
        # the committed notebooks must never be written by the browser run
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
        # every cell in the DOM, so prompts and outputs can be read without scrolling
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        # no news or update checks (no network), no toasts over the notebook
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
    }
    for plugin, values in settings.items():
        pkg, name = plugin.rsplit("/", 1)
        path = Path(settings_dir, pkg, name + ".jupyterlab-settings")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def http_json(url, method="GET", timeout=10, token=None):
    headers = {"Authorization": f"token {token}"} if token else {}
    req = urllib.request.Request(url, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        body = r.read()
    return json.loads(body) if body else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to check, not one to follow


def unauthenticated_status(url, method="GET"):
    """The HTTP status a request without the token gets (a redirect is not followed)."""
    req = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None)
    try:
        with urllib.request.build_opener(_NoRedirect).open(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


class Server:
    """``jupyter lab --no-browser`` in its own process group; :meth:`stop` ends the group."""

    def __init__(self, tmp):
        self.tmp = Path(tmp)
        self.proc = None
        self.log_path = OUT / "jupyter.log"
        self.base = None
        self.token = secrets.token_urlsafe(32)  # a local user who finds the port still needs it

    def start(self):
        jupyter = Path(sys.prefix) / "bin" / "jupyter"
        if not jupyter.exists():
            raise Failure(f"{jupyter} not found: run make setup")
        write_settings(self.tmp / "settings")
        env = dict(os.environ)
        env.update({
            # notebooks draw inline whatever the shell exports (Agg in CI prints warnings)
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "JUPYTER_RUNTIME_DIR": str(self.tmp / "runtime"),
            "IPYTHONDIR": str(self.tmp / "ipython"),
            "PYTHONUNBUFFERED": "1",
            "JUPYTER_TOKEN": self.token,  # the environment: /proc/PID/cmdline is readable by every user
        })
        for _attempt in range(3):  # the free port may be taken between the check and the bind
            port = free_port()
            cmd = [str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                   "--ServerApp.port_retries=0", f"--ServerApp.root_dir={REPO}",
                   f"--LabApp.user_settings_dir={self.tmp / 'settings'}",
                   f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
            if os.geteuid() == 0:
                cmd.append("--allow-root")
            with open(self.log_path, "ab") as logf:
                self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                             stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
            self.base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + T_SERVER
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    http_json(self.base + "/api/status", timeout=5, token=self.token)
                except (urllib.error.URLError, OSError, ValueError):
                    time.sleep(0.5)
                    continue
                self.check_refuses_strangers()
                return self
            exited = self.proc.poll() is not None
            self.stop()
            if not exited:
                raise Failure(f"jupyter lab did not answer within {T_SERVER:.0f} s (log: {rel(self.log_path)})")
        raise Failure(f"jupyter lab exited at start, 3 times (log: {rel(self.log_path)})")

    def check_refuses_strangers(self):
        """Requests without the token are refused: the API with 403, a page with a redirect to the login."""
        got = {f"{method} {path}": unauthenticated_status(self.base + path, method) for method, path in
               (("GET", "/api/contents"), ("POST", "/api/kernels"), ("GET", "/api/sessions"), ("GET", "/lab"))}
        wrong = {k: v for k, v in got.items() if v != (302 if k == "GET /lab" else 403)}
        if wrong:
            self.stop()
            raise Failure(f"the server answers requests without its token: {wrong}")
        log("requests without the token refused: " + ", ".join(f"{k} {v}" for k, v in got.items()))

    def login(self, ctx):
        """Log the browser context in once (the server sets its login cookie); pages then need no token."""
        ctx.request.get(self.base + "/api/status", headers={"Authorization": f"token {self.token}"})

    def sessions(self):
        return http_json(self.base + "/api/sessions", token=self.token)

    def kernel_state(self, nb_path):
        for s in self.sessions():
            if s.get("path") == nb_path and s.get("kernel"):
                return s["kernel"].get("execution_state")
        return None

    def shutdown_sessions(self):
        """Delete every session (and so its kernel): each notebook starts on a quiet machine."""
        try:
            for s in self.sessions():
                http_json(f"{self.base}/api/sessions/{s['id']}", method="DELETE", timeout=30, token=self.token)
        except (urllib.error.URLError, OSError, ValueError) as e:
            log(f"  note: could not shut the kernels down: {e}")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        pgid = self.proc.pid  # start_new_session: the group id is the leader's pid
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # anything left in the server's group
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None
        # kernels run in sessions of their own; ours are the ones started with our runtime dir
        runtime = str(self.tmp / "runtime")
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if runtime in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                    os.kill(int(pid), signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass


# --------------------------------------------------------------------------- browser
def ensure_chromium():
    if not os.access(CHROMIUM, os.X_OK):
        raise Failure(f"{CHROMIUM} is missing: apt-get install -y chromium (make e2e does it)")


def check_flags(user_data_dir):
    """Read the browser process's command line and check that every flag reached it."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if f"--user-data-dir={user_data_dir}" in argv and not any(a.startswith("--type=") for a in argv):
            missing = [f for f in CHROMIUM_ARGS if f not in argv]
            if missing:
                raise Failure(f"chromium started without {' '.join(missing)}")
            return argv[0]
    raise Failure("could not find the chromium process to check its flags")


# JavaScript run in the page. Everything is scoped to the visible notebook panel.
JS_PANEL = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"

JS_STATE = """() => {
  const panel = __PANEL__;
  if (!panel) return null;
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
  const code = cells.filter(c => c.classList.contains('jp-CodeCell'));
  let counted = 0, running = 0, empty = 0;
  for (const c of code) {
    const src = (c.querySelector('.cm-content') || {}).textContent || '';
    const p = ((c.querySelector('.jp-InputArea-prompt') || {}).textContent || '').trim();
    if (/^\\[\\*\\]/.test(p)) running++;
    else if (/^\\[\\d+\\]/.test(p)) counted++;
    else if (!src.trim()) empty++;
  }
  const errors = [], warnings = [];
  code.forEach((c, i) => {
    for (const o of c.querySelectorAll('.jp-OutputArea-output')) {
      const text = o.textContent || '';
      const mime = o.getAttribute('data-mime-type') || '';
      const where = 'cell ' + (cells.indexOf(c) + 1) + ': ';
      if (/Error displaying widget|Error rendering output|Could not render content/.test(text))
        errors.push(where + text.trim().slice(0, 200));
      else if (mime === 'application/vnd.jupyter.stderr') {
        const first = text.trim().split('\\n').filter(l => /Error|Exception|Traceback/.test(l));
        if (/Traceback|Error\\b|Exception\\b/.test(text))
          errors.push(where + (first.slice(-1)[0] || text.trim()).slice(0, 200));
        else warnings.push(where + text.trim().slice(0, 200));
      }
    }
  });
  const dialog = document.querySelector('.jp-Dialog');
  const ind = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  return {cells: cells.length, code: code.length, counted, running, empty, errors, warnings,
          dialog: dialog ? dialog.textContent.trim().slice(0, 300) : null,
          status: ind ? ind.getAttribute('data-status') : null};
}""".replace("__PANEL__", JS_PANEL)

# Tag every explorer (a widget box holding a widget image) and each of its controls.
JS_EXPLORERS = """() => {
  const panel = __PANEL__;
  const found = [];
  panel.querySelectorAll('img.widget-image').forEach((img, i) => {
    const box = img.closest('.widget-hbox, .widget-vbox, .widget-box') || img.parentElement;
    box.setAttribute('data-e2e-explorer', i);
    img.setAttribute('data-e2e-image', i);
    const controls = [];
    const selector = '.widget-slider, .widget-dropdown, .widget-checkbox, button.widget-button';
    box.querySelectorAll(selector).forEach((el, j) => {
      const kind = el.matches('button') ? 'button' : el.matches('.widget-slider') ? 'slider'
        : el.matches('.widget-dropdown') ? 'dropdown' : 'checkbox';
      const id = i + '-' + j;
      el.setAttribute('data-e2e-control', id);
      const label = kind === 'button' ? el.textContent.trim()
        : ((el.querySelector('.widget-label') || {}).textContent || '').trim();
      controls.push({id, kind, label, options: el.querySelectorAll('option').length});
    });
    found.push({index: i, controls});
  });
  return found;
}""".replace("__PANEL__", JS_PANEL)

# The execution counts of the code cells (null: none), and how many are running.
JS_COUNTS = """() => {
  const cells = [...__PANEL__.querySelectorAll('.jp-Notebook .jp-CodeCell')];
  const counts = [], empty = [];
  let running = 0;
  for (const c of cells) {
    const p = ((c.querySelector('.jp-InputArea-prompt') || {}).textContent || '').trim();
    const m = /^\\[(\\d+)\\]/.exec(p);
    if (/^\\[\\*\\]/.test(p)) running++;
    counts.push(m ? parseInt(m[1]) : null);
    empty.push(!((c.querySelector('.cm-content') || {}).textContent || '').trim());
  }
  return {counts, empty, running};
}""".replace("__PANEL__", JS_PANEL)

# Watch the kernel connection of the notebook shown: every error message (a cell's, or one raised
# in a widget callback, which no cell shows) and every traceback on stderr, with the type of the
# message it answers. Needs the app object (exposeAppInBrowser); returns what it could do.
JS_WATCH = """() => {
  const app = window.jupyterapp;
  if (!app) return 'no app object in the page';
  const w = app.shell.currentWidget;
  if (!w || !w.sessionContext) return 'no notebook in the main area';
  window.__e2e = window.__e2e || {errors: []};
  if (!w.__e2eWatched) {
    w.sessionContext.iopubMessage.connect((_, msg) => {
      const t = msg.header.msg_type, c = msg.content || {};
      const parent = (msg.parent_header || {}).msg_type || 'no request';
      const where = parent === 'comm_msg' ? 'in a widget callback'
        : parent === 'execute_request' ? 'in a cell' : parent;
      if (t === 'error') window.__e2e.errors.push(where + ': ' + c.ename + ': ' + String(c.evalue).slice(0, 200));
      else if (t === 'stream' && c.name === 'stderr' && /Traceback|Error\\b/.test(c.text))
        window.__e2e.errors.push(where + ', on stderr: ' + c.text.trim().split('\\n').slice(-1)[0].slice(0, 200));
    });
    w.__e2eWatched = true;
  }
  return 'ok';
}"""

JS_WATCHED = "() => (window.__e2e || {errors: []}).errors.slice()"

JS_LEFT_OPEN = """() => { const s = document.querySelector('#jp-left-stack');
  return !!s && !s.classList.contains('lm-mod-hidden'); }"""

# Controls whose column is narrower than its content (readouts cut off) in each explorer.
JS_CLIPPED = """(box) => [...box.querySelectorAll('.widget-vbox, .widget-box')]
  .filter(b => b.scrollWidth > b.clientWidth + 2)
  .map(b => b.clientWidth + ' of ' + b.scrollWidth + ' px')"""

# The area an explorer really covers: its controls and its image, not the empty row after them.
JS_EXTENT = """(box) => {
  let l = Infinity, t = Infinity, r = -Infinity, b = -Infinity;
  for (const el of [box, ...box.children]) {
    const q = el.getBoundingClientRect();
    if (el === box) { l = q.left; t = q.top; b = q.bottom; continue; }
    if (q.width && q.height) { r = Math.max(r, q.right); b = Math.max(b, q.bottom); }
  }
  return {x: Math.max(l - 4, 0), y: Math.max(t - 4, 0), width: r - l + 8, height: b - t + 8};
}"""

JS_IMAGE = """(img) => ({src: img.getAttribute('src') || '', ok: img.complete && img.naturalWidth > 0})"""

JS_TRACK = """(s) => {
  const base = s.querySelector('.noUi-base') || s.querySelector('.slider');
  const handle = s.querySelector('.noUi-handle');
  const box = e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; };
  return base && handle ? {base: box(base), handle: box(handle),
                           readout: ((s.querySelector('.widget-readout') || {}).textContent || '').trim()} : null;
}"""


# Run in every page before its own scripts: set ``exposeAppInBrowser`` in the page's configuration
# (the JSON in #jupyter-config-data, read by JupyterLab and Notebook 7 when they start), so that
# window.jupyterapp gives the test the notebook's kernel connection. (Serving a rewritten page
# instead would make chromium block the page's websockets to 127.0.0.1.)
JS_EXPOSE_APP = """(() => {
  const patch = el => {
    try { const c = JSON.parse(el.textContent); c.exposeAppInBrowser = true; el.textContent = JSON.stringify(c); }
    catch (e) { /* not a Jupyter page */ }
  };
  const found = document.getElementById('jupyter-config-data');
  if (found) { patch(found); return; }
  const seen = new MutationObserver(() => {
    const el = document.getElementById('jupyter-config-data');
    if (el) { seen.disconnect(); patch(el); }
  });
  seen.observe(document, {childList: true, subtree: true});
})();"""


def drag(page, slider, pct):
    """Drag a slider's handle with the mouse to ``pct`` percent of its track (past an end for 0 or 100)."""
    slider.scroll_into_view_if_needed()
    box = slider.evaluate(JS_TRACK)
    if box is None:
        raise Failure("a slider without a track and a handle")
    base, handle = box["base"], box["handle"]
    x0, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    x1 = (base["x"] - 30 if pct <= 0 else base["x"] + base["width"] + 30 if pct >= 100
          else base["x"] + base["width"] * pct / 100)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y, steps=6)
    page.mouse.up()
    return slider.evaluate(JS_TRACK)["readout"]


def settle(page, server, name, what):
    """Wait until the kernel has been idle for ~0.75 s (a control's message may still be on its way)."""
    time.sleep(0.3)
    deadline, quiet = time.monotonic() + T_MOVE, 0
    while quiet < 3:
        st = page.evaluate(JS_STATE)
        if st["dialog"]:
            raise Failure(f"dialog after {what}: {st['dialog']}")
        quiet = quiet + 1 if st["status"] in ("idle", None) and server.kernel_state(name) == "idle" else 0
        if time.monotonic() > deadline:
            raise Failure(f"the kernel still busy {T_MOVE:.0f} s after {what}")
        time.sleep(POLL)


def shot(page, box, path=None):
    """Screenshot of an explorer, clipped to its controls and image."""
    box.scroll_into_view_if_needed()
    clip = box.evaluate(JS_EXTENT)
    kw = {"path": str(path)} if path else {}
    if clip["width"] > 0 and clip["height"] > 0:
        return page.screenshot(clip=clip, **kw)
    return box.screenshot(**kw)


def wait_image_change(page, img, before, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = img.evaluate(JS_IMAGE)
        if now["ok"] and now["src"] != before:
            return True
        time.sleep(POLL)
    return False


def menu(page, top, command, label):
    """Click a top-level menu, then the item for ``command`` (its label as a fallback)."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{top}$")).first.click()
    item = page.locator(f'.lm-Menu-item[data-command="{command}"]')
    if item.count() == 0:
        item = page.locator(".lm-Menu-item", has_text=label)
    item.first.click()


def shrink_png(data, limit=DOCS_MAX_BYTES):
    """PNG bytes under ``limit``: palette first, then smaller, as needed."""
    from PIL import Image

    im = Image.open(io.BytesIO(data)).convert("RGB")
    out = data
    for scale in (1.0, 0.8, 0.65, 0.5):
        if len(out) <= limit:
            break
        w, h = int(im.width * scale), int(im.height * scale)
        small = im if scale == 1.0 else im.resize((w, h), Image.LANCZOS)
        buf = io.BytesIO()
        small.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(buf, format="PNG", optimize=True)
        out = buf.getvalue()
    return out


def write_docs_png(stem, data):
    """Copy a screenshot into docs/screenshots/, leaving the file alone when the pixels match."""
    from PIL import Image, ImageChops

    DOCS.mkdir(parents=True, exist_ok=True)
    path = DOCS / f"{stem}.png"
    data = shrink_png(data)
    if path.exists():
        try:
            old = Image.open(path).convert("RGB")
            new = Image.open(io.BytesIO(data)).convert("RGB")
            if old.size == new.size and ImageChops.difference(old, new).getbbox() is None:
                return path
        except OSError:
            pass
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- one notebook
def wait_idle(page, server, name, what, timeout):
    """Poll until every cell has run (or one failed) and the kernel has been idle ~0.5 s."""
    deadline, settled = time.monotonic() + timeout, 0
    while True:
        st = page.evaluate(JS_STATE)
        todo = st["code"] - st["empty"]
        finished = st["running"] == 0 and (st["counted"] >= todo or st["errors"])
        if finished and st["status"] == "idle" and server.kernel_state(name) == "idle":
            settled += 1
            if settled >= 3:  # idle across ~0.5 s: not a gap between two cells
                return st
        else:
            settled = 0
        if st["dialog"]:
            raise Failure(f"dialog while running: {st['dialog']}")
        if time.monotonic() > deadline:
            raise Failure(f"{what} not finished after {timeout:.0f} s "
                          f"({st['counted']}/{todo} cells done, {st['running']} running)")
        time.sleep(POLL / 2 if st["running"] else POLL)


def page_url(server, name, ui):
    """The page of notebook ``name`` (a path under the server's root) in JupyterLab or Notebook 7."""
    # ?reset: a clean JupyterLab workspace, so no earlier notebook is reopened next to this one
    return f"{server.base}/lab/tree/{quote(name)}?reset" if ui == "lab" else f"{server.base}/notebooks/{quote(name)}"


def open_and_run_all(page, server, nb, name, notes, ui="lab"):
    """Open ``nb`` in JupyterLab or Notebook 7, clear its outputs and Run All Cells; returns (state, seconds)."""
    page.goto(page_url(server, name, ui), timeout=T_OPEN * 1000)
    n_cells = len(json.loads(nb.read_text(encoding="utf-8"))["cells"])
    deadline = time.monotonic() + T_OPEN
    while True:
        st = page.evaluate(JS_STATE)
        kernel = server.kernel_state(name)
        if st and st["cells"] >= n_cells and st["status"] == "idle" and kernel == "idle":
            break
        if st and st["dialog"]:
            raise Failure(f"dialog on opening: {st['dialog']}")
        if time.monotonic() > deadline:
            raise Failure(f"notebook not ready after {T_OPEN:.0f} s "
                          f"(cells {st and st['cells']}/{n_cells}, kernel {kernel})")
        time.sleep(POLL)
    if st["cells"] != n_cells:
        notes.append(f"{st['cells']} cells in the page, {n_cells} in the file")
    watching = page.evaluate(JS_WATCH)
    if watching != "ok":
        notes.append(f"kernel messages not watched ({watching}): errors in widget callbacks go unseen")
    # the notebook must be the current widget for the menus to act on it
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell .jp-InputArea-prompt").first.click()
    # the file browser closed, as a student does for a wide explorer (View > Show Left Sidebar)
    if page.evaluate(JS_LEFT_OPEN):
        page.keyboard.press("Control+B")
    menu(page, "Edit", "editmenu:clear-all", "Clear Outputs of All Cells")
    deadline = time.monotonic() + 30 * SCALE
    while (st := page.evaluate(JS_STATE))["counted"] or st["running"]:
        if time.monotonic() > deadline:
            raise Failure("Edit > Clear Outputs of All Cells left execution counts behind")
        time.sleep(POLL)
    t_run = time.monotonic()
    menu(page, "Run", "runmenu:run-all", "Run All Cells")
    return wait_idle(page, server, name, "Run All Cells", T_RUN), time.monotonic() - t_run


def run_all_again(page, server, name):
    """Run > Run All Cells on a notebook that has run: wait until every code cell has a newer count."""
    before = max([c for c in page.evaluate(JS_COUNTS)["counts"] if c is not None], default=0)
    t0 = time.monotonic()
    menu(page, "Run", "runmenu:run-all", "Run All Cells")
    deadline, quiet = time.monotonic() + T_RUN, 0
    while quiet < 3:
        cc, st = page.evaluate(JS_COUNTS), page.evaluate(JS_STATE)
        done = all(e or (c is not None and c > before) for c, e in zip(cc["counts"], cc["empty"], strict=True))
        quiet = quiet + 1 if (done or st["errors"]) and not cc["running"] and server.kernel_state(name) == "idle" else 0
        if st["dialog"]:
            raise Failure(f"dialog while running all again: {st['dialog']}")
        if time.monotonic() > deadline:
            left = sum(not e and (c is None or c <= before) for c, e in zip(cc["counts"], cc["empty"], strict=True))
            raise Failure(f"Run All again not finished after {T_RUN:.0f} s ({left} cells not run again)")
        time.sleep(POLL)
    return page.evaluate(JS_STATE), time.monotonic() - t0


def errors_now(page, what):
    """Every error shown in a cell or seen on the kernel connection, as lines."""
    st = page.evaluate(JS_STATE)
    return [f"{what}: {e}" for e in st["errors"] + page.evaluate(JS_WATCHED)]


def fail_on_errors(page, what, stem, shots):
    """After ``what`` (a Run All): a Failure naming the first error, with a screenshot of the page, if any."""
    errors = errors_now(page, what)
    if errors:
        path = OUT / f"{stem}-error.png"
        page.screenshot(path=str(path))
        shots.append(path)
        raise Failure(errors[0] + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""))


def work_controls(page, server, name, explorer):
    """Move every control of one explorer as a student does; returns (controls, moves, presses)."""
    i = explorer["index"]
    moves = presses = 0
    for c in explorer["controls"]:  # the sliders first, each left in the middle
        el = page.locator(f'[data-e2e-control="{c["id"]}"]')
        if c["kind"] == "slider":
            for pct in DRAGS:
                drag(page, el, pct)
                moves += 1
                settle(page, server, name, f"explorer {i + 1}: {c['label']} dragged to {pct} %")
        elif c["kind"] == "dropdown":
            select = el.locator("select")
            start = select.evaluate("s => s.selectedIndex")
            for k in range(1, c["options"] + 1):  # every other option, then the first one again
                select.select_option(index=(start + k) % c["options"])
                moves += 1
                settle(page, server, name, f"explorer {i + 1}: {c['label']} option {(start + k) % c['options']}")
        elif c["kind"] == "checkbox":
            el.locator("input").click()
            moves += 1
            settle(page, server, name, f"explorer {i + 1}: {c['label']} ticked")
    for c in explorer["controls"]:  # then the buttons, with the sliders in the middle
        if c["kind"] == "button":
            button = page.locator(f'[data-e2e-control="{c["id"]}"]')
            button.scroll_into_view_if_needed()
            button.click()
            presses += 1
            settle(page, server, name, f"explorer {i + 1}: {c['label']} pressed")
    return len(explorer["controls"]), moves, presses


def run_session(ctx, server, nb, ui, docs):
    """A student's session in one notebook and one interface; returns (ok, summary, notes, shots, seconds)."""
    source = nb
    if ui == "notebook":  # Notebook 7 saves on its own (its settings are the user's): it gets a copy
        nb = OUT / "notebook7" / nb.relative_to(REPO)
        nb.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, nb)
    stem, name = f"{source.parent.name}-{source.stem}-{ui}", nb.relative_to(REPO).as_posix()
    shots, notes = [], []
    page = ctx.new_page()
    page_errors = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.on("dialog", lambda d: d.dismiss())
    t0 = time.monotonic()
    original = source.read_bytes()
    try:
        st, run_s = open_and_run_all(page, server, nb, name, notes, ui)
        fail_on_errors(page, "Run All", stem, shots)
        notes.extend(f"stderr in {w}" for w in st["warnings"])
        summary = [f"ran {st['counted']} code cells in {run_s:.0f} s"]

        explorers = page.evaluate(JS_EXPLORERS)
        docs_png = None
        for e in explorers:
            img = page.locator(f'[data-e2e-image="{e["index"]}"]')
            img.scroll_into_view_if_needed()
            if not wait_image_change(page, img, None, T_IMAGE):
                raise Failure(f"explorer {e['index'] + 1}: its image never loaded")
        if explorers:  # the notebook's first explorer as it opens: the picture for the README
            docs_png = shot(page, page.locator('[data-e2e-explorer="0"]'))
        else:
            notes.append("no explorer (no widget image) in this notebook")

        t_moves, totals = time.monotonic(), [0, 0, 0]
        for e in explorers:
            i = e["index"]
            box, img = page.locator(f'[data-e2e-explorer="{i}"]'), page.locator(f'[data-e2e-image="{i}"]')
            box.scroll_into_view_if_needed()
            src0 = img.evaluate(JS_IMAGE)["src"]
            clipped = box.evaluate(JS_CLIPPED)
            if clipped:
                notes.append(f"explorer {i + 1}: controls clipped at this width ({', '.join(clipped)} shown)")
            before = OUT / f"{stem}-explorer{i + 1}-before.png"
            shot(page, box, before)
            shots.append(before)
            for k, n in enumerate(work_controls(page, server, name, e)):
                totals[k] += n
            errors = errors_now(page, f"explorer {i + 1}")
            if errors:
                raise Failure(errors[0] + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""))
            if not wait_image_change(page, img, src0, T_IMAGE):
                raise Failure(f"explorer {i + 1}: image unchanged after every control was moved")
            after = OUT / f"{stem}-explorer{i + 1}-after.png"
            shot(page, box, after)
            shots.append(after)
        summary.append(f"{len(explorers)} explorer(s): {totals[0]} controls ({totals[1]} moves, "
                       f"{totals[2]} presses) in {time.monotonic() - t_moves:.0f} s")

        if RUN_AGAIN:
            st, again_s = run_all_again(page, server, name)
            fail_on_errors(page, "Run All again", stem, shots)
        summary.append(f"ran all again in {again_s:.0f} s, no error" if RUN_AGAIN else "no error")
        if page_errors:
            notes.append(f"{len(page_errors)} JavaScript error(s), first: {page_errors[0][:150]}")

        full = OUT / f"{stem}-notebook.png"
        page.screenshot(path=str(full))
        shots.append(full)
        if docs and ui == "lab" and source.parent == NOTEBOOKS:
            if docs_png is None:
                outputs = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img")
                if outputs.count():
                    outputs.first.scroll_into_view_if_needed()
                    docs_png = outputs.first.screenshot()
            if docs_png is not None:
                shots.append(write_docs_png(source.stem, docs_png))
        return True, "; ".join(summary), notes, shots, time.monotonic() - t0, totals
    except Exception as e:  # ours, a Playwright timeout or a page that went away: still one line
        return False, reason(e), notes, shots + [failure_shot(page, stem)], time.monotonic() - t0, [0, 0, 0]
    finally:
        close(page, server)
        if source.exists() and source.read_bytes() != original:
            notes.append("the notebook file changed during the run (edited by someone, or saved)")


JS_CELLS = """() => [...__PANEL__.querySelectorAll('.jp-Notebook .jp-Cell')].map(c => ({
  code: c.classList.contains('jp-CodeCell'),
  source: [...c.querySelectorAll('.cm-line')].map(l => l.textContent).join('\\n'),
  output: [...c.querySelectorAll('.jp-OutputArea-output')].map(o => o.textContent).join('')}))""".replace(
    "__PANEL__", JS_PANEL)


def exercise_answers():
    """(right, wrong) sources of the e2e exercise cell, and the verdicts each must print."""
    import nbformat

    from coursework import verdict

    name, exercise, good, bad = EXERCISE
    cell = next(c for c in nbformat.read(NOTEBOOKS / name, as_version=4).cells
                if c.cell_type == "code" and f"def {exercise}(" in c.source)
    right = "\n".join(line for line in cell.source.splitlines() if "SOLUTION" not in line)
    if good not in right:
        raise Failure(f"the solution of {exercise} in notebooks/{name} no longer contains {good!r}: update EXERCISE")
    wrong = right.replace(good, bad, 1)
    expected = []
    for source in (right, wrong):
        space = {}
        exec("import numpy as np\n" + source, space)  # the answers are the notebook's own code
        expected.append(verdict(exercise, space[exercise]))
    return (right, expected[0]), (wrong, expected[1])


def check_output(page, exercise):
    """The line the exercise's check cell printed."""
    for cell in page.evaluate(JS_CELLS):
        if cell["code"] and f'check("{exercise}"' in cell["source"]:
            for line in cell["output"].splitlines():
                if line.startswith(f"{exercise}:"):
                    return line.strip()
            return ""
    raise Failure(f"no check cell for {exercise}")


def run_exercise(ctx, server):
    """A student's session with one exercise: stub, a wrong answer (hint), the right one (correct)."""
    name, exercise, _, _ = EXERCISE
    nb = REPO / "exercises" / name
    page = ctx.new_page()
    notes, t0 = [], time.monotonic()
    try:
        (right, ok_line), (wrong, hint_line) = exercise_answers()
        path = nb.relative_to(REPO).as_posix()
        st, _ = open_and_run_all(page, server, nb, path, notes)
        if st["errors"]:
            raise Failure(f"the student notebook as handed out shows an error: {st['errors'][0]}")
        first = check_output(page, exercise)
        if not first.endswith("not yet written (replace the `raise NotImplementedError` line with your code)"):
            raise Failure(f"the unanswered check printed {first!r}")
        steps = [f"as handed out: {first!r}"]
        cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
        for answer, expected in ((wrong, hint_line), (right, ok_line)):
            sources = [c["source"] for c in page.evaluate(JS_CELLS)]
            index = next(i for i, src in enumerate(sources) if f"def {exercise}(" in src)
            editor = cells.nth(index).locator(".cm-content")
            editor.click()
            page.keyboard.press("Control+A")
            page.keyboard.insert_text(answer)  # as typed: the whole cell replaced by the answer
            page.keyboard.press("Shift+Enter")  # run the exercise cell, move to its check
            wait_idle(page, server, path, "the exercise cell", T_RUN)
            page.keyboard.press("Shift+Enter")  # run the check
            deadline = time.monotonic() + T_RUN
            while (got := check_output(page, exercise)) != expected and time.monotonic() < deadline:
                time.sleep(POLL)
            if got != expected:
                raise Failure(f"after typing an answer the check printed {got!r}, expected {expected!r}")
            steps.append(repr(got))
        shot_path = OUT / "exercise-session.png"
        page.screenshot(path=str(shot_path))
        return True, " -> ".join(steps), notes, [shot_path], time.monotonic() - t0
    except Exception as e:
        return False, reason(e), notes, [failure_shot(page, "exercise")], time.monotonic() - t0
    finally:
        close(page, server)


def reason(e):
    """A failure in one line: our own message, or the type and first line of anything else."""
    return str(e) if isinstance(e, Failure) else f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"


def close(page, server):
    """Close the page and end every kernel, so the next notebook starts on a quiet machine."""
    try:
        page.close()
    except Exception:
        pass
    server.shutdown_sessions()


def failure_shot(page, stem):
    path = OUT / f"{stem}-failure.png"
    try:
        page.screenshot(path=str(path))
        return path
    except Exception:
        return None


# --------------------------------------------------------------------------- main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*",
                        help="names (in notebooks/) or paths; default: notebooks/*.ipynb and exercises/*.ipynb")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/screenshots/")
    parser.add_argument("--exercise-only", action="store_true", help="only the student's session with an exercise")
    parser.add_argument("--ui", choices=("lab", "notebook", "both"), default="both",
                        help="JupyterLab, Notebook 7, or each notebook in both (the default)")
    parser.add_argument("--ci", action="store_true",
                        help="CI's share (make e2e): each of the 12 notebooks once, notebooks/ in JupyterLab and "
                             "exercises/ in Notebook 7, every control of every explorer worked (each slider to its "
                             "far end and back to the middle), no second Run All (the headless session test runs "
                             "every cell again), and the exercise (make e2e-all: each notebook in both, each "
                             "slider to both ends, Run All again)")
    args = parser.parse_args(argv)
    if args.ci and (args.notebooks or args.ui != "both" or args.exercise_only):
        parser.error("--ci chooses the notebooks and the interfaces itself: give it alone")
    if args.ci:  # each slider to its far end and back to the middle (the headless session also tries the near end);
        global DRAGS, RUN_AGAIN  # no second Run All: the headless session runs every cell again after the moves
        DRAGS, RUN_AGAIN = (100, 50), False

    # SIGTERM (a CI timeout, kill) must still reach the finally blocks that stop the server
    def _terminate(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")  # the system chromium only

    if args.notebooks:
        nbs = [REPO / n if "/" in n else NOTEBOOKS / n for n in args.notebooks]
        missing = [rel(n) for n in nbs if not n.is_file()]
        if missing:
            log(f"no such notebook: {', '.join(missing)}")
            log(f"0 passed, {len(missing)} failed")
            return 1
    else:
        nbs = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted(EXERCISES.glob("*.ipynb"))
    uis = ("lab", "notebook") if args.ui == "both" else (args.ui,)
    pairs = [(nb, ui) for ui in uis for nb in nbs]
    if args.ci:
        pairs = [(nb, "lab") for nb in sorted(NOTEBOOKS.glob("*.ipynb"))]
        pairs += [(nb, "notebook") for nb in sorted(EXERCISES.glob("*.ipynb"))]
    if not nbs:
        log("no notebooks in notebooks/: nothing to run")
        log("0 passed, 0 failed")
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    shutil.rmtree(OUT / "notebook7", ignore_errors=True)
    (OUT / "jupyter.log").unlink(missing_ok=True)
    passed = failed = 0
    worked = [0, 0, 0]  # controls, moves, presses
    start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="e2e-")
    server = Server(tmp)
    try:
        ensure_chromium()
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as e:
            raise Failure("playwright is not installed: make e2e installs requirements-e2e.txt") from e

        server.start()
        log(f"jupyter lab at {server.base} (root {rel(REPO)}, log {rel(server.log_path)})")
        profile = Path(tmp, "chromium-profile")
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                viewport=VIEWPORT, device_scale_factor=1, timeout=60_000 * SCALE)
            try:
                server.login(ctx)
                ctx.set_default_timeout(30_000 * SCALE)
                ctx.add_init_script(JS_EXPOSE_APP)
                exe = check_flags(profile)
                version = ctx.browser.version if ctx.browser else "?"
                log(f"chromium {version} ({exe}), fresh profile, flags: {' '.join(CHROMIUM_ARGS)}")
                docs = not args.no_docs
                runs = [] if args.exercise_only else \
                    [(f"{rel(nb)} in {UIS[ui]}", lambda nb=nb, ui=ui: run_session(ctx, server, nb, ui, docs))
                     for nb, ui in pairs]
                if args.exercise_only or not args.notebooks:
                    runs.append((f"exercises/{EXERCISE[0]} ({EXERCISE[1]})", lambda: run_exercise(ctx, server)))
                for label, run in runs:
                    ok, what, notes, shots, secs, *counts = run()
                    for k, n in enumerate(counts[0] if counts else ()):
                        worked[k] += n
                    passed += ok
                    failed += not ok
                    log(f"{'ok  ' if ok else 'FAIL'} {label} ({secs:.0f} s): {what}")
                    for n in notes:
                        log(f"     note: {n}")
                    for s in shots:
                        if s is not None:
                            log(f"     screenshot: {rel(s)}")
            finally:
                ctx.close()
    except Failure as e:
        log(f"FAIL e2e setup: {e}")
        failed += 1
    except Exception as e:  # the browser did not start, the driver died: one line, a count
        log(f"FAIL e2e: {type(e).__name__}: {str(e).strip()[:300]}")
        failed += 1
    except (KeyboardInterrupt, SystemExit):
        log("e2e: interrupted; stopping the server")
        raise
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"e2e: {time.monotonic() - start:.0f} s, {worked[0]} controls worked ({worked[1]} moves, {worked[2]} presses), "
        "server stopped")
    log(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
