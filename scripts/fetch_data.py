#!/usr/bin/env python3
"""Fetch MNIST and Fashion-MNIST into data/ (the `make data` entry point).

    python scripts/fetch_data.py [--root data] [mnist] [fashion-mnist]

Each file is checked against its published MD5 and written atomically; files already
present and valid are skipped. Offline, it prints one sentence to stderr, writes
nothing and exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Download MNIST and/or Fashion-MNIST (four IDX .gz files each), "
        "verified against the published MD5 checksums."
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="data sets to fetch: mnist, fashion-mnist (default: both)",
    )
    parser.add_argument(
        "--root",
        "--data-dir",
        dest="root",
        default="data",
        help="folder that receives NAME/ sub-folders (default: data)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per network operation (default: 30)")
    # For tests: point every download at another server.
    parser.add_argument("--base-url", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # Checked here, not with choices=: argparse rejects an empty nargs="*" list then.
    for name in args.names:
        if name not in NAMES:
            parser.error(f"unknown data set {name!r}; choose from {', '.join(NAMES)}")

    for name in args.names or NAMES:
        try:
            download(name, args.root, base_url=args.base_url, timeout=args.timeout, log=print)
        except DownloadError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
