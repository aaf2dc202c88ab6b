#!/usr/bin/env bash
# The places a class runs the bundle, each proved on this machine (`make portability`;
# .ci/run runs it after `make test`). Every environment is made here, in build/portability/,
# from the package registries; the pip cache keeps repeated runs fast.
#
#   second-python  `make test` under the newest supported Python found (3.12+), beside .venv
#   hub            a fresh venv with only the student packages, unpinned, no install of this
#                  repository: every notebook runs from a copy of notebooks/ elsewhere in the
#                  checkout (a JupyterHub after nbgitpuller)
#   non-editable   `pip install .` into a fresh venv (Debian's Python 3.11.2 when present): from
#                  outside the checkout, helpers and the shipped data come from site-packages,
#                  and notebooks 04 and 05 (the ones reading shipped data) run from a folder
#                  outside the checkout
#   binder         the Dockerfile repo2docker would build (--no-build, no Docker needed) uses
#                  binder/: its Python, its requirements, no `pip install .` of the top level
#   other-blas     nbval with another OpenBLAS kernel, one thread, and MPLBACKEND=Agg exported
#
#   bash .ci/portability.sh [SCENARIO ...]      # default: all, in the order above
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
WORK=$REPO/build/portability
export PIP_DISABLE_PIP_VERSION_CHECK=1 JUPYTER_PREFER_ENV_PATH=1
NBVAL=(--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg)
STUDENT_PACKAGES=(numpy matplotlib ipywidgets ipykernel nbclient nbconvert tqdm)
mkdir -p "$WORK"

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

scenario_second_python() {
    local py
    py=$(find_python 3.13 || find_python 3.12) || { echo "no Python 3.12 or 3.13 here"; return 1; }
    echo "make test with $py (Python $(version "$py")), VENV=.venv-$(version "$py")"
    make test PYTHON="$py" VENV=".venv-$(version "$py")"
}

scenario_hub() {
    local py venv=$WORK/hub-venv copy=$REPO/build/portability/hub-home/course
    py=$(find_python 3.12 || find_python 3.13 || find_python 3.11) || return 1
    echo "student packages, unpinned, into a fresh venv with Python $(version "$py")"
    fresh_venv "$venv" "$py" && "$venv/bin/python" -m pip install -qq "${STUDENT_PACKAGES[@]}" || return 1
    (cd /tmp && "$venv/bin/python" -c 'import helpers' 2>/dev/null) && { echo "helpers must not be installed"; return 1; }
    rm -rf "$copy" && mkdir -p "$copy" && cp notebooks/*.ipynb "$copy/"
    run_notebooks "$venv" "$copy"
}

scenario_non_editable() {
    local py venv=$WORK/installed-venv outside
    py=$( (/usr/bin/python3.11 -c "$SUPPORTED" 2>/dev/null && echo /usr/bin/python3.11) || find_python 3.11 || find_python 3.12) || return 1
    echo "pip install . (not editable) with $py (Python $(version "$py"))"
    fresh_venv "$venv" "$py" || return 1
    "$venv/bin/python" -m pip install -qq -c constraints.txt ".[widgets]" ipykernel nbconvert || return 1
    outside=$(mktemp -d)
    cp notebooks/04_*.ipynb notebooks/05_*.ipynb "$outside/"
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
assert not data._files.in_checkout(data.REPO_ROOT) and "make data" not in data._fetch_advice()
import answer_keys
import helpers.checks

keys = Path(answer_keys.__file__).resolve()
assert "site-packages" in keys.parts, f"answer_keys imported from {keys}"
assert helpers.checks.verdict("newton_direction", answer_keys.rosenbrock.newton_direction).endswith(": correct")
print(f"  answer_keys from {keys.parent}, {len(helpers.checks.EXERCISES)} exercises")
# every module of the checkout's helpers is installed (setup.py finds the subpackages)
missing = [str(p.relative_to(repo)) for p in (repo / "helpers").rglob("*.py")
           if not (where.parent / p.relative_to(repo / "helpers")).is_file()]
assert not missing, f"not installed: {missing}"
print(f"  helpers from {where.parent}, all {len(list((repo / 'helpers').rglob('*.py')))} modules")
EOF
    ) || return 1
    run_notebooks "$venv" "$outside"
    local failed=$?
    rm -rf "$outside"
    return $failed
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
    local core=Nehalem venv=.venv
    test -x $venv/bin/python || make setup || return 1
    # the kernel really changes: threadpoolctl reports what OpenBLAS chose (in a throw-away venv)
    local probe=$WORK/probe-venv
    test -x "$probe/bin/python" || { fresh_venv "$probe" $venv/bin/python3 && \
        "$probe/bin/python" -m pip install -qq -c constraints.txt numpy threadpoolctl; } || return 1
    local arch
    arch=$(OPENBLAS_CORETYPE=$core "$probe/bin/python" -c \
        'import numpy, threadpoolctl; print([i.get("architecture") for i in threadpoolctl.threadpool_info()][0])')
    echo "  OPENBLAS_CORETYPE=$core: OpenBLAS runs its $arch kernels (default here: ${OPENBLAS_CORETYPE:-autodetected})"
    [ "$arch" = "$core" ] || return 1
    OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg \
        $venv/bin/python -m pytest -q "${NBVAL[@]}" notebooks
}

all=(second_python hub non_editable binder other_blas)
chosen=("${@:-${all[@]}}")
passed=0 failed=0 summary=()
for name in "${chosen[@]}"; do
    name=${name//-/_}
    echo "=== portability: ${name//_/-}"
    start=$(date +%s)
    if "scenario_$name"; then result=ok; passed=$((passed + 1)); else result=FAILED; failed=$((failed + 1)); fi
    summary+=("$(printf '%-15s %-7s %4d s' "${name//_/-}" "$result" $(( $(date +%s) - start )))")
done
echo "=== portability summary"
printf '  %s\n' "${summary[@]}"
echo "portability: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
