"""The one thing pyproject.toml cannot say: which packages to install. helpers with all its
subpackages (found here, so a new one needs no edit), helpers._shipped (pyproject.toml maps it
to data/), coursework (the exercises' checks and their stored answers, coursework/data/*.json)
and answer_keys (an old name of the keys, kept for one release). coursework.keys, the answer
keys themselves, is left out on purpose: a hub image built with `pip install .` holds no
answers; instructors use it from the repository (an editable install or a checkout).
Everything else about the package is in pyproject.toml."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["helpers", "helpers.*", "answer_keys"]), "helpers._shipped", "coursework"])
