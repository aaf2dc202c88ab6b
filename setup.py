"""The one thing pyproject.toml cannot say: install helpers with all its subpackages (found
here, so a new one needs no edit) plus helpers._shipped, which pyproject.toml maps to data/.
Everything else about the package is in pyproject.toml."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["helpers", "helpers.*"]), "helpers._shipped"])
