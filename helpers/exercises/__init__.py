"""The exercises of the notebooks: reference solutions, test inputs and catalogued mistakes.

One module per notebook registers its exercises with :func:`helpers.checks.exercise`;
importing this package registers them all. A notebook checks a student's function with
``check("rosenbrock_grad", rosenbrock_grad)``.
"""

from . import rosenbrock  # noqa: F401
