"""Explorer of notebook 01: gradient descent and momentum on the Rosenbrock function."""

from ..objectives import ROSENBROCK
from . import DescentExplorer

__all__ = ["RosenbrockExplorer"]


class RosenbrockExplorer(DescentExplorer):
    """:class:`helpers.widgets.DescentExplorer` on the Rosenbrock function.

    The f panel (log scale) keeps fixed limits ``f_limits`` that hold every run from the
    classic start, from a diverging one down to convergence at f = 1e-14, so the curves
    of different learning rates can be compared by eye and a slider move redraws only
    the path, the curve and the text.

    Parameters
    ----------
    objective : a 2-D helpers.objectives.Objective (default: ROSENBROCK)
    f_limits : (low, high) y-limits of the f panel
    **kwargs : as for DescentExplorer (lr, beta, steps, start, lr_range, max_steps, contour_kw)
    """

    def __init__(self, objective=ROSENBROCK, f_limits=(1e-14, 1e5), **kwargs):
        kwargs.setdefault("lr_range", (-5, -1.5))
        super().__init__(objective, f_offset=0.0, f_limits=f_limits, **kwargs)
