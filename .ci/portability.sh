#!/usr/bin/env bash
# The places a class runs the bundle, each proved on this machine (`make portability`;
# .ci/run runs it after `make test`). Every environment is made here, in build/portability/
# or in a temporary folder outside the checkout, from the package registries; the pip cache
# keeps repeated runs fast. Nothing here needs the network beyond the package registries.
#
#   second-python  `make test` under the newest supported Python found (3.12+), beside .venv
#                  (without the live-session test, which make test runs once; the notebooks' outputs
#                  are compared on this Python by other-blas, on this venv)
#   hub            a fresh venv with only the student packages, unpinned, no install of this
#                  repository; a copy of the repository outside the checkout (where nbgitpuller
#                  puts it); all 12 notebooks (notebooks/, exercises/) run with the kernel started
#                  in the home folder, the notebook's path given as jupyter-server gives it
#                  (JPY_SESSION_NAME); and without that hint (papermill without --cwd) the set-up
#                  cell stops with one line naming the folders it searched
#   colab          the hub's venv as Colab's packages, a stand-in google.colab module loaded at
#                  kernel start, and a stand-in git: a notebook opened alone in an empty folder
#                  clones the repository (no network) and runs; offline, and with the placeholder
#                  address, the set-up cell stops with one line saying what and why
#   plain-install  `pip install .` (no extras, not editable) into a fresh venv (Debian's Python
#                  3.11.2 when present): it brings ipywidgets; from outside the checkout, helpers
#                  and the shipped data come from site-packages, and notebooks 01 (explorers), 04
#                  and 05 (shipped data) run from a folder outside the checkout
#   binder         the Dockerfile repo2docker would build (--no-build, no Docker needed) uses
#                  binder/: its Python, its requirements, no `pip install .` of the top level
#   other-blas     nbval (on the second Python's venv when there is one) with another OpenBLAS
#                  kernel, one thread, numpy's AVX2/FMA code paths
#                  switched off (another CPU's last digits), and MPLBACKEND=Agg exported
#   crlf-checkout  a clone checked out with core.autocrlf=true (what Git for Windows does): the
#                  text files keep LF (.gitattributes) and the tests that read the data pass
#   make-targets   the tests marked `portability` (make test leaves them out): make and
#                  scripts/notebook_header.py run in a copy of the checkout and in temporary venvs
#                  (make repository, make's choice of Python), and the set-up cell's error in a kernel
#
#   bash .ci/portability.sh [SCENARIO ...]      # default: all, in two lanes (each log printed whole, in
#                                               # the order above); named ones one after another
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
WORK=$REPO/build/portability
export PIP_DISABLE_PIP_VERSION_CHECK=1 JUPYTER_PREFER_ENV_PATH=1
NBVAL=(--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg)
STUDENT_PACKAGES=(numpy matplotlib ipywidgets ipykernel nbclient nbconvert tqdm)
TEST_URL=https://github.com/example-org/nn-course-companion  # an address that is not the placeholder
mkdir -p "$WORK"
OUTSIDE=$(mktemp -d "${TMPDIR:-/tmp}/portability.XXXXXX")  # folders outside the checkout
trap 'rm -rf "$OUTSIDE"' EXIT

SUPPORTED='import sys; sys.exit(not (3, 11, 2) <= sys.version_info[:3] < (3, 14))'

# find_python X.Y: a Python X.Y that runs and is supported: pythonX.Y on PATH, else the
# newest pyenv install of X.Y (a pyenv shim of a version that is not selected does not run).
find_python() {
    local v=$1 p
    if p=$(command -v "python$v") && "$p" -c "$SUPPORTED" 2>/dev/null; then echo "$p"; return 0; fi
    if command -v pyenv >/dev/null; then
        for p in $(ls -d "$(pyenv root)"/versions/"$v".*/bin/python"$v" 2>/dev/null | sort -V -r); do
            if "$p" -c "$SUPPORTED" 2>/dev/null; then echo "$p"; return 0; fi
        done
    fi
    return 1
}

# fresh_venv DIR PYTHON: a new virtual environment with an up-to-date pip
fresh_venv() {
    rm -rf "$1" && "$2" -m venv "$1" && "$1/bin/python" -m pip install -qq --upgrade pip
}

version() { "$1" -c 'import platform; print(platform.python_version())'; }

# copy_checkout DEST: the checkout's tracked files as they are in the working tree (what a
# clone of the pushed repository holds)
copy_checkout() {
    rm -rf "$1" && mkdir -p "$1" && git ls-files -z | tar --null -cf - -T - | tar -xf - -C "$1"
}

# student_venv: the hub's venv (student packages, unpinned, no helpers), made once per run
student_venv() {
    local py venv=$WORK/hub-venv
    if [ -z "${STUDENT_VENV_READY:-}" ]; then
        py=$(find_python 3.12 || find_python 3.13 || find_python 3.11) || return 1
        echo "  student packages, unpinned, into a fresh venv with Python $(version "$py")"
        fresh_venv "$venv" "$py" && "$venv/bin/python" -m pip install -qq "${STUDENT_PACKAGES[@]}" || return 1
        (cd "$OUTSIDE" && "$venv/bin/python" -c 'import helpers' 2>/dev/null) && { echo "  helpers must not be installed"; return 1; }
        STUDENT_VENV_READY=1
    fi
    STUDENT_VENV=$venv
}

# run_notebooks VENV DIR: execute every notebook in DIR, from DIR, with VENV's Jupyter
run_notebooks() {
    local nb failed=0
    for nb in "$2"/*.ipynb; do
        if (cd "$2" && "$1/bin/jupyter" nbconvert --to notebook --execute --inplace \
                --ExecutePreprocessor.timeout=300 "$nb" >"$nb.log" 2>&1); then
            echo "  ran ${nb#"$REPO"/}"
        else
            echo "  FAILED ${nb#"$REPO"/}:"; tail -20 "$nb.log"; failed=1
        fi
    done
    return $failed
}

# run_in_kernel VENV CWD HINT EXPECT NOTEBOOK...: run each notebook with nbclient in a kernel
# started in CWD (not the notebook's folder). HINT=session gives the kernel the notebook's path
# as jupyter-server does (JPY_SESSION_NAME); HINT=none gives nothing (papermill without --cwd).
# EXPECT=ok: every cell runs; EXPECT="error:TEXT": the set-up cell stops with ONE line (no
# traceback) containing TEXT, and nothing after it runs.
run_in_kernel() {
    local venv=$1 cwd=$2 hint=$3 expect=$4
    shift 4
    local log
    log=$(mktemp "$OUTSIDE/kernel-stderr.XXXXXX")
    "$venv/bin/python" - "$cwd" "$hint" "$expect" "$REPO" "$@" 2>"$log" <<'EOF'
import os
import sys

import nbclient
import nbformat

cwd, hint, expect, repo, *paths = sys.argv[1:]
failed = 0
for path in paths:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # what the run leaves is all there is to see
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    env = {**os.environ, "JPY_SESSION_NAME": path if hint == "session" else ""}
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": cwd}})
    try:  # like "Run all": it stops at the first error
        client.execute(env=env)
    except nbclient.exceptions.CellExecutionError:
        pass
    errors = [(i, out) for i, cell in enumerate(nb.cells) for out in cell.get("outputs", [])
              if out.output_type == "error"]
    name = os.path.relpath(path, repo) if path.startswith(repo) else path
    if expect == "ok":
        ok = not errors
        detail = errors and f"cell {errors[0][0]}: {errors[0][1].ename}: {errors[0][1].evalue}"
    else:
        want = expect.removeprefix("error:")
        first = errors[0] if errors else (None, None)
        ran_after = [c for c in nb.cells[first[0] + 1:] if c.cell_type == "code" and c.execution_count] if errors else []
        ok = (len(errors) == 1 and nb.cells[first[0]].get("id") == "bundle-setup"
              and len(first[1].traceback) == 1 and want in first[1].traceback[0] and not ran_after)
        detail = first[1].traceback if errors else "no error"
    if expect == "ok":
        print(f"  ran {name}" if ok else f"  FAILED {name}: {detail}")
    else:
        print(f"  {name} stops at its set-up cell with one line: {detail[0]}" if ok
              else f"  FAILED {name}: expected one line with {want!r}, got {detail}")
    failed |= not ok
sys.exit(failed)
EOF
    local status=$?
    [ $status -eq 0 ] || { echo "  (stderr of the run:)"; grep -v "running over TCP without encryption" "$log" | tail -20; }
    return $status
}

scenario_second_python() {
    local py
    py=$(find_python 3.13 || find_python 3.12) || { echo "no Python 3.12 or 3.13 here"; return 1; }
    echo "make test with $py (Python $(version "$py")), VENV=.venv-$(version "$py")"
    # the live-session test (tests/test_sessions.py) runs once, in make test: it tests the notebooks' state
    # under a student's moves, the same on any Python. This Python's nbval runs in other-blas (on this
    # venv, with another OpenBLAS kernel): one run proves the stored outputs on both.
    make test PYTHON="$py" VENV=".venv-$(version "$py")" PYTEST_ARGS=--ignore=tests/test_sessions.py
}

scenario_hub() {
    student_venv || return 1
    local home=$OUTSIDE/hub-home clone failed=0
    clone=$home/$(basename "$TEST_URL")  # nbgitpuller clones into the home folder
    copy_checkout "$clone" || return 1
    home=$(cd "$home" && pwd -P)
    echo "  a copy of the repository in $clone; kernels start in $home"
    # two at a time (the solutions and the student versions)
    run_in_kernel "$STUDENT_VENV" "$home" session ok "$clone"/notebooks/*.ipynb & local solutions=$!
    run_in_kernel "$STUDENT_VENV" "$home" session ok "$clone"/exercises/*.ipynb || failed=1
    wait $solutions || failed=1
    echo "  without the notebook's path (papermill without --cwd), from $home:"
    run_in_kernel "$STUDENT_VENV" "$home" none "error:$home and the folders above it" \
        "$clone/notebooks/01_rosenbrock.ipynb" || failed=1
    return $failed
}

scenario_colab() (  # a subshell: the stand-ins on PATH and PYTHONPATH end with it
    student_venv || exit 1
    local base=$OUTSIDE/colab failed=0 name
    name=$(basename "$TEST_URL")
    mkdir -p "$base/stand-in/google/colab" "$base/ipython/profile_default/startup" "$base/bin" "$base/content"
    base=$(cd "$base" && pwd -P)
    : >"$base/stand-in/google/colab/__init__.py"
    printf 'def enable_custom_widget_manager():\n    pass\n' >"$base/stand-in/google/colab/output.py"
    echo "import google.colab" >"$base/ipython/profile_default/startup/00-colab.py"  # Colab loads it at start
    # the repository as GitHub would serve it, its address set to TEST_URL
    copy_checkout "$base/served" && "$STUDENT_VENV/bin/python" "$base/served/scripts/notebook_header.py" \
        --repository "$TEST_URL" >/dev/null || exit 1
    # git: `git clone --quiet --depth=1 URL DEST` copies the served repository when URL is
    # TEST_URL; with GIT_OFFLINE set it fails as git does without a network
    cat >"$base/bin/git" <<EOF
#!/usr/bin/env bash
[ "\$1" = clone ] && [ "\$4" = "$TEST_URL" ] || { echo "unexpected: git \$*" >&2; exit 2; }
if [ -n "\${GIT_OFFLINE:-}" ]; then
    echo "fatal: unable to access '\$4/': Could not resolve host: github.com" >&2; exit 128
fi
cp -R "$base/served" "\$5"
EOF
    chmod +x "$base/bin/git"
    export IPYTHONDIR=$base/ipython PYTHONPATH=$base/stand-in PATH=$base/bin:$PATH
    cp "$base/served/notebooks/04_softplus_iris.ipynb" "$base/served/exercises/01_rosenbrock.ipynb" "$base/content/"
    echo "  Colab opens one notebook in an empty folder; the set-up cell clones $TEST_URL (stand-in git):"
    run_in_kernel "$STUDENT_VENV" "$base/content" none ok "$base/content/04_softplus_iris.ipynb" \
        "$base/content/01_rosenbrock.ipynb" || failed=1
    [ -f "$base/content/$name/helpers/__init__.py" ] && echo "  cloned into $base/content/$name" || failed=1
    rm -rf "${base:?}/content/$name"
    echo "  offline:"
    GIT_OFFLINE=1 run_in_kernel "$STUDENT_VENV" "$base/content" none \
        "error:cannot clone $TEST_URL into $base/content/$name (fatal: unable to access" \
        "$base/content/04_softplus_iris.ipynb" || failed=1
    echo "  with the placeholder address:"
    cp notebooks/04_softplus_iris.ipynb "$base/placeholder.ipynb"
    run_in_kernel "$STUDENT_VENV" "$base/content" none "error:the course's address is still a placeholder" \
        "$base/placeholder.ipynb" || failed=1
    exit $failed
)

scenario_plain_install() {
    local py venv=$WORK/installed-venv outside=$OUTSIDE/installed
    py=$( (/usr/bin/python3.11 -c "$SUPPORTED" 2>/dev/null && echo /usr/bin/python3.11) || find_python 3.11 || find_python 3.12) || return 1
    echo "  pip install . (no extras, not editable) with $py (Python $(version "$py"))"
    fresh_venv "$venv" "$py" || return 1
    "$venv/bin/python" -m pip install -qq -c constraints.txt . || return 1
    "$venv/bin/python" -m pip show -q ipywidgets >/dev/null 2>&1 \
        && echo "  ipywidgets came with it: $("$venv/bin/python" -c 'import ipywidgets; print(ipywidgets.__version__)')" \
        || { echo "  pip install . did not bring ipywidgets"; return 1; }
    # what runs the notebooks (any Jupyter does); it brings no ipywidgets of its own
    "$venv/bin/python" -m pip install -qq -c constraints.txt ipykernel nbconvert || return 1
    mkdir -p "$outside" && cp notebooks/01_*.ipynb notebooks/04_*.ipynb notebooks/05_*.ipynb "$outside/"
    (cd "$outside" && "$venv/bin/python" - "$REPO" <<'EOF'
import sys
from pathlib import Path

import helpers
import helpers.data as data

repo = Path(sys.argv[1])
where = Path(helpers.__file__).resolve()
assert "site-packages" in where.parts and where.parent != repo / "helpers", f"helpers imported from {where}"
for name, load, shape in [("iris.csv", data.load_iris, (150, 4)), ("digits.csv.gz", data.load_digits, (1797, 64))]:
    path = data._shipped_file(name)
    assert "site-packages" in path.parts and path.is_file(), path
    assert load()[0].shape == shape
    print(f"  {name}: {path}")
assert not data._download.in_checkout(data.REPO_ROOT) and "make data" not in data._fetch_advice()
import importlib.util

import coursework

checks = Path(coursework.__file__).resolve()
assert "site-packages" in checks.parts, f"coursework imported from {checks}"
assert importlib.util.find_spec("coursework.keys") is None, "the answer keys were installed"
assert coursework.verdict("newton_direction", lambda g, H: -__import__("numpy").linalg.solve(H, g)).status == "correct"
print(f"  coursework from {checks.parent}: {len(coursework.EXERCISES)} exercises, no answer keys")
# every module of the checkout's helpers is installed (setup.py finds the subpackages)
missing = [str(p.relative_to(repo)) for p in (repo / "helpers").rglob("*.py")
           if not (where.parent / p.relative_to(repo / "helpers")).is_file()]
missing += [p.name for p in (repo / "coursework" / "data").glob("*.json") if not (checks.parent / "data" / p.name).is_file()]
assert not missing, f"not installed: {missing}"
print(f"  helpers from {where.parent}, all {len(list((repo / 'helpers').rglob('*.py')))} modules")
import helpers.widgets  # the explorers' ipywidgets

print("  helpers.widgets imports (ipywidgets from the plain install)")
EOF
    ) || return 1
    run_notebooks "$venv" "$outside"
}

scenario_binder() {
    local venv=$WORK/r2d-venv out=$WORK/repo2docker-Dockerfile py
    py=$(find_python 3.12 || find_python 3.13 || find_python 3.11) || return 1
    fresh_venv "$venv" "$py" && "$venv/bin/python" -m pip install -qq jupyter-repo2docker==2026.4.0 || return 1
    "$venv/bin/jupyter-repo2docker" --no-build --user-id 1000 --user-name jovyan "$REPO" >"$out" 2>"$out.log" \
        || { cat "$out.log"; return 1; }
    local want=$(sed 's/^python-//' binder/runtime.txt) ok=0
    grep -q "Building conda environment for python=$want\$" "$out.log" \
        && echo "  Python $want (binder/runtime.txt)" || { echo "  not Python $want:"; cat "$out.log"; ok=1; }
    grep -q 'pip install --no-cache-dir -r "binder/requirements.txt"' "$out" \
        && echo "  requirements from binder/requirements.txt" || { echo "  binder/requirements.txt not installed"; ok=1; }
    if grep -E 'pip install --no-cache-dir \.$|pip install --no-cache-dir -r "requirements.txt"' "$out"; then
        echo "  the top level is installed too"; ok=1
    else
        echo "  no pip install of the top level (requirements.txt, pyproject.toml)"
    fi
    if grep -E -i '^(jupyterlab|notebook|ipykernel)\b' binder/requirements.txt; then
        echo "  binder/requirements.txt pins the image's own Jupyter"; ok=1
    fi
    return $ok
}

scenario_other_blas() {
    local core=Nehalem venv=.venv second
    # the second Python's venv when second-python made it (its nbval is this one), else .venv
    second=$(ls -d .venv-3.1[23]* 2>/dev/null | sort -V | tail -1)
    if [ -n "$second" ] && [ -x "$second/bin/python" ]; then venv=$second; fi
    test -x $venv/bin/python || make setup || return 1
    echo "  nbval with $venv (Python $(version $venv/bin/python))"
    # the kernel really changes: threadpoolctl reports what OpenBLAS chose (in a throw-away venv)
    local probe=$WORK/probe-venv
    test -x "$probe/bin/python" || { fresh_venv "$probe" $venv/bin/python3 && \
        "$probe/bin/python" -m pip install -qq -c constraints.txt numpy threadpoolctl; } || return 1
    local arch
    arch=$(OPENBLAS_CORETYPE=$core "$probe/bin/python" -c \
        'import numpy, threadpoolctl; print([i.get("architecture") for i in threadpoolctl.threadpool_info()][0])')
    echo "  OPENBLAS_CORETYPE=$core: OpenBLAS runs its $arch kernels (default here: ${OPENBLAS_CORETYPE:-autodetected})"
    [ "$arch" = "$core" ] || return 1
    # numpy's own SIMD loops (exp, log, sums): switch off the optional ones this CPU has
    local simd
    simd=$("$probe/bin/python" -c 'from numpy._core._multiarray_umath import __cpu_dispatch__ as d, __cpu_features__ as f
print(" ".join(k for k in d if f.get(k)))')
    echo "  NPY_DISABLE_CPU_FEATURES=\"$simd\": numpy's baseline loops instead"
    OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg NPY_DISABLE_CPU_FEATURES="$simd" \
        $venv/bin/python -m pytest -q "${NBVAL[@]}" notebooks
}

scenario_crlf_checkout() {
    local dir=$WORK/crlf-checkout rev venv=.venv
    test -x $venv/bin/python || make setup || return 1
    rev=$(git stash create) && [ -n "$rev" ] || rev=HEAD  # the working tree, uncommitted changes included
    rm -rf "$dir" && git clone -q --no-checkout --shared "$REPO" "$dir" && git -C "$dir" config core.autocrlf true \
        && git -C "$dir" checkout -q "$rev" || return 1
    local crlf
    crlf=$(git -C "$dir" ls-files --eol | grep -c "w/crlf")
    if [ "$crlf" != 0 ]; then echo "  $crlf files with CRLF in the checkout:"; git -C "$dir" ls-files --eol | grep "w/crlf" | head; return 1; fi
    echo "  core.autocrlf=true: every text file still has LF (.gitattributes)"
    # the tests that read the shipped data and the notebooks, from the checkout's own helpers
    (cd "$dir" && "$REPO/$venv/bin/python" -c 'import helpers, sys; sys.exit(not helpers.__file__.startswith(sys.argv[1]))' "$dir" \
        && "$REPO/$venv/bin/python" -m pytest -q -p no:cacheprovider tests/test_data.py tests/test_portability.py \
            -k "not make_ and not colab and not kernel")
}

scenario_make_targets() {
    local venv=.venv
    test -x $venv/bin/python || make setup || return 1
    MPLBACKEND=Agg $venv/bin/python -m pytest -q -p no:cacheprovider -m portability tests
}

all=(second_python hub colab plain_install binder other_blas crlf_checkout make_targets)
chosen=("${@:-${all[@]}}")
chosen=("${chosen[@]//-/_}")

# run_lane NAME...: the scenarios one after another, each one's output in $LOGS/NAME.log and its
# result and seconds in $LOGS/NAME.result
LOGS=$WORK/logs
rm -rf "$LOGS" && mkdir -p "$LOGS"
run_lane() {
    local name start result
    for name in "$@"; do
        start=$(date +%s)
        if "scenario_$name" >"$LOGS/$name.log" 2>&1; then result=ok; else result=FAILED; fi
        echo "$result $(( $(date +%s) - start ))" >"$LOGS/$name.result"
    done
}

# Each scenario keeps one core busy at most (a test run, a kernel): two lanes at a time use this
# machine's two cores. other-blas follows second-python in its lane (it uses that Python's venv).
# PORTABILITY_LANES=1, or scenarios named on the command line, run one after another.
if [ "${PORTABILITY_LANES:-2}" -gt 1 ] && [ $# -eq 0 ]; then
    echo "=== portability: two lanes at a time (second-python, other-blas | hub, colab, plain-install, binder, crlf-checkout, make-targets)"
    run_lane second_python other_blas & lane=$!
    run_lane hub colab plain_install binder crlf_checkout make_targets
    wait "$lane"
else
    run_lane "${chosen[@]}"
fi
passed=0 failed=0 summary=()
for name in "${chosen[@]}"; do
    echo "=== portability: ${name//_/-}"
    cat "$LOGS/$name.log"
    read -r result secs <"$LOGS/$name.result"
    if [ "$result" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    summary+=("$(printf '%-15s %-7s %4d s' "${name//_/-}" "$result" "$secs")")
done
echo "=== portability summary"
printf '  %s\n' "${summary[@]}"
echo "portability: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
