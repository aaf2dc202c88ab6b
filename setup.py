"""The one thing pyproject.toml cannot say: which packages to install. helpers with all its
subpackages (found here, so a new one needs no edit), helpers._shipped (pyproject.toml maps it
to data/), coursework (the exercises' checks and their stored answers, coursework/data/*.json)
and answer_keys (an old name of the keys, kept for one release). coursework.keys, the answer
keys themselves, is left out on purpose: a hub image built with `pip install .` holds no
answers; instructors use it from the repository (an editable install or a checkout).
Everything else about the package is in pyproject.toml.

It also stops an install on an untested Python at once, in one line. pip reads this file
before it fetches anything else in requirements.txt; pyproject.toml's requires-python alone
is checked only after pip has fetched every pinned package, and on a Python that numpy has
no wheel for, pip would first try to compile numpy."""

import sys

from setuptools import find_packages, setup

SUPPORTED = ((3, 11, 2), (3, 14))  # from 3.11.2 up to, not including, 3.14 (as requires-python says)
if not SUPPORTED[0] <= sys.version_info[:3] < SUPPORTED[1]:
    version = ".".join(map(str, sys.version_info[:3]))
    sys.exit(f"error: this is Python {version}; the bundle needs Python 3.11.2 to 3.13: make the venv with one "
             "(Windows: py -3.13 -m venv .venv; elsewhere: python3.13 -m venv .venv), then install again")

setup(packages=[*find_packages(include=["helpers", "helpers.*", "answer_keys"]), "helpers._shipped", "coursework"])
