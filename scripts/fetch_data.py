#!/usr/bin/env python3
"""Fetch MNIST and Fashion-MNIST into data/ (the `make data` entry point).

    python scripts/fetch_data.py [--root data] [--timeout S] [--deadline S] [mnist] [fashion-mnist]

Each file is checked against its published MD5 and written atomically; files already present
and valid are skipped. Every failure is one line on stderr: exit status 2 for a download, disk
or argument error, 130 for Ctrl-C, 128 + N for signal N (SIGTERM 143, SIGHUP 129). An
interrupted run removes the file in progress and the folders it made; a signal the caller
ignores (as nohup ignores SIGHUP) stays ignored.
"""

from __future__ import annotations

import argparse
import difflib
import errno
import importlib
import os
import signal
import sys
from pathlib import Path

# Let the script run from a fresh clone before `pip install -e .`.
REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# Imported by name after the path is set, so the import order stays lint-clean.
_data = importlib.import_module("helpers.data")
download, DownloadError = _data.download, _data.DownloadError

NAMES = ("mnist", "fashion-mnist")
STOP_SIGNALS = tuple(getattr(signal, s) for s in ("SIGTERM", "SIGHUP") if hasattr(signal, s))
DISK_FIX = {errno.ENOSPC: "free some disk space or choose another --root",
            errno.EFBIG: "free some disk space or choose another --root",
            errno.ENOTDIR: "a file stands where a folder is needed: move it or choose another --root",
            errno.EEXIST: "a file stands where a folder is needed: move it or choose another --root"}


class Stopped(BaseException):
    """Raised by the SIGTERM / SIGHUP handler, so that the download cleans up as it unwinds."""


def _stop(signum, frame):
    for s in STOP_SIGNALS:  # a second signal must not interrupt the clean-up
        signal.signal(s, signal.SIG_IGN)
    raise Stopped(signum)


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not the usage block
        self.exit(2, f"error: {message} (see --help)\n")


def main(argv=None) -> int:
    parser = Parser(description="Download MNIST and/or Fashion-MNIST (four IDX .gz files each), "
                    "verified against the published MD5 checksums.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="data sets to fetch: mnist, fashion-mnist (default: both)")
    parser.add_argument("--root", "--data-dir", dest="root", default="data", type=os.path.expanduser,
                        help="folder that receives NAME/ sub-folders (default: data)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per network operation (default: 30)")
    parser.add_argument("--deadline", type=float, default=900.0,
                        help="seconds one file may take in all, against a trickling server (default: 900)")
    parser.add_argument("--base-url", default=None, help="http(s) address of another mirror")
    args = parser.parse_args(argv)
    for name in args.names:  # checked here: with choices=, argparse rejects an empty list
        if name not in NAMES:
            close = difflib.get_close_matches(name, NAMES, 1, 0.5)
            parser.error(f"unknown data set {name!r}; choose from {', '.join(NAMES)}"
                         + (f" (did you mean {close[0]}?)" if close else ""))

    previous = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    for s, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(s, _stop)
    try:
        for name in args.names or NAMES:
            download(name, args.root, base_url=args.base_url, timeout=args.timeout, deadline=args.deadline, log=print)
    except (DownloadError, ValueError) as exc:
        return _fail(str(exc))
    except OSError as exc:  # the disk, not the network
        where = exc.filename or Path(args.root).resolve()
        fix = DISK_FIX.get(exc.errno, "choose a folder you can write to with --root")
        return _fail(f"cannot write {where}: {exc.strerror or exc}; {fix}")
    except KeyboardInterrupt:
        return _fail("interrupted: the file in progress was discarded, files already verified are kept", 130)
    except Stopped as stop:
        name = signal.Signals(stop.args[0]).name
        return _fail(f"stopped by {name}: the file in progress was discarded, files already verified are kept",
                     128 + stop.args[0])
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0


def _fail(message, status=2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
