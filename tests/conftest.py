import os
import sys

import matplotlib

# jsonschema, which nbformat imports, imports rfc3987_syntax (a dependency of jupyter-events) when it is installed,
# for its "iri" format check, which no test uses; that module builds its grammars when imported: 2-3 s of every
# pytest start. Left out here (jsonschema goes without that check). make test and make check-exercises run pytest
# with -p no:nbval, so that nothing imports nbformat before this file (the session test imports nbval's
# comparison as a library, not as a plugin).
sys.modules.setdefault("rfc3987_syntax", None)

# Headless: tests never open a window, and explorers render through Agg anyway.
os.environ.setdefault("MPLBACKEND", "Agg")
matplotlib.use("Agg")


# The live-session test (test_sessions.py) runs its notebooks in background kernels: they start before
# the first test that does not measure the whole process (tracemalloc's peak in test_memory.py would
# count the sessions' allocations too), its own tests come last, and the unit tests run beside the
# kernels, which use the cores this process leaves idle.
def _module_name(item):
    return getattr(getattr(item, "module", None), "__name__", "").rpartition(".")[2]


def pytest_collection_modifyitems(items):
    order = {"test_memory": 0, "test_sessions": 2}
    items.sort(key=lambda item: order.get(_module_name(item), 1))  # stable: each file keeps its order


def pytest_runtest_setup(item):
    session = item.session
    if _module_name(item) == "test_memory" or getattr(session, "_sessions_started", False):
        return
    session._sessions_started = True
    sessions = next((i for i in session.items if _module_name(i) == "test_sessions"), None)
    if sessions is not None and (paths := sessions.module.session_paths(session.items)):
        sessions.module.start_sessions(session.config, paths)


def pytest_sessionfinish(session):
    for item in session.items[-1:]:
        if _module_name(item) == "test_sessions":
            item.module.stop_sessions()
