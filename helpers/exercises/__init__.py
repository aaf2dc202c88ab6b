"""The exercises of the notebooks: reference solutions, test inputs and catalogued mistakes.

One module per notebook registers its exercises with :func:`helpers.checks.exercise`;
importing this package imports (registers) them all. A notebook checks a student's
function with ``check("rosenbrock_grad", rosenbrock_grad)``.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
