"""The one thing pyproject.toml cannot say: install helpers with all its subpackages (found
here, so a new one needs no edit), helpers._shipped, which pyproject.toml maps to data/, and
answer_keys, the exercises' answer keys that helpers.checks judges against.
Everything else about the package is in pyproject.toml."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["helpers", "helpers.*", "answer_keys"]), "helpers._shipped"])
