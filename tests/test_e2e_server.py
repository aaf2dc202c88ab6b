"""The browser test's JupyterLab server (tests/e2e/run_e2e.py) is not open to other local users:
a random token that is not on its command line, XSRF checks on, 127.0.0.1 only."""

import http.cookiejar
import importlib.util
import os
import pwd
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

# make e2e runs these (they start the browser test's server); make test leaves them out
pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
JUPYTER = Path(sys.prefix) / "bin" / "jupyter"


def _status(url, method="GET", headers=None, opener=None):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = opener or urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(url, method=method, headers=headers or {},
                                 data=b"{}" if method == "POST" else None)
    try:
        with opener.open(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not JUPYTER.exists() or importlib.util.find_spec("jupyterlab") is None:
        pytest.skip("JupyterLab is not installed in this environment")
    spec = importlib.util.spec_from_file_location("run_e2e", REPO / "tests" / "e2e" / "run_e2e.py")
    e2e = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(e2e)
    e2e.OUT = tmp_path_factory.mktemp("e2e-out")  # the log goes here, not to build/
    tmp = tmp_path_factory.mktemp("e2e")
    srv = e2e.Server(tmp)
    try:
        yield srv.start()  # start() itself checks that requests without the token are refused
    finally:
        srv.stop()


@pytest.mark.skipif(sys.platform != "linux", reason="the e2e server runs on Linux")
def test_requests_without_the_token_are_refused(server):
    assert server.base.startswith("http://127.0.0.1:")
    assert _status(server.base + "/api/contents") == 403  # the folder listing
    assert _status(server.base + "/api/kernels", "POST") == 403  # starting a kernel
    assert _status(server.base + "/lab") == 302  # a page: to the login form
    assert _status(server.base + "/api/contents?token=wrong") == 403
    assert _status(server.base + "/api/contents", headers={"Authorization": f"token {server.token}"}) == 200


@pytest.mark.skipif(sys.platform != "linux", reason="the e2e server runs on Linux")
def test_xsrf_is_checked_for_a_browser_logged_in_by_cookie(server):
    # a page on another site can make the browser send its cookie, not the XSRF token: refused
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    assert _status(f"{server.base}/api/status?token={server.token}", opener=opener) == 200  # logged in
    assert _status(server.base + "/api/contents", opener=opener) == 200  # the cookie alone reads
    assert _status(server.base + "/api/kernels", "POST", opener=opener) == 403  # but does not start a kernel


@pytest.mark.skipif(sys.platform != "linux", reason="/proc")
def test_the_token_is_not_on_the_command_line_other_users_can_read(server):
    cmdline = Path(f"/proc/{server.proc.pid}/cmdline").read_bytes().decode()
    assert server.token not in cmdline and "token=" not in cmdline and "disable_check_xsrf" not in cmdline
    assert ("--allow-root" in cmdline) == (os.geteuid() == 0)


@pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0, reason="needs root to act as user nobody")
def test_user_nobody_cannot_list_the_folder_or_start_a_kernel(server):
    pwd.getpwnam("nobody")
    probe = ("import sys, urllib.request, urllib.error\n"
             "for method, path in (('GET', '/api/contents'), ('POST', '/api/kernels')):\n"
             "    req = urllib.request.Request(sys.argv[1] + path, method=method, data=b'{}' if method == 'POST' "
             "else None)\n"
             "    try:\n"
             "        print(urllib.request.urlopen(req, timeout=30).status)\n"
             "    except urllib.error.HTTPError as e:\n"
             "        print(e.code)\n")
    proc = subprocess.run(["/usr/bin/python3", "-c", probe, server.base], user="nobody", capture_output=True,
                          text=True, timeout=60, cwd="/")
    assert proc.stdout.split() == ["403", "403"], proc.stderr
