"""The answer keys of the notebooks' exercises: reference solutions, test inputs and the
catalogued mistakes with their hints.

One module per notebook registers its exercises with :func:`helpers.checks.exercise`;
importing this package registers them all. This is course content, not a kernel: it sits
beside ``helpers`` (which judges, in :mod:`helpers.checks`) so that an instructor adds an
exercise here without touching the package. A notebook checks a student's function with
``check("rosenbrock_grad", rosenbrock_grad)`` from ``helpers.checks``.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
