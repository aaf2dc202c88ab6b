"""Explorer of notebook 01: gradient descent and momentum on the Rosenbrock function."""

from ..objectives import ROSENBROCK
from . import DescentExplorer

__all__ = ["RosenbrockExplorer"]


class RosenbrockExplorer(DescentExplorer):
    """:class:`helpers.widgets.DescentExplorer` with a fixed scale on the f panel.

    Same controls and artists (learning rate on a log scale, momentum beta, steps, start
    point; ``line``, ``start_marker``, ``curve``, ``status``, ``path``). The difference is
    speed: the f-against-iteration panel keeps fixed y-limits ``f_limits`` (log scale)
    instead of rescaling on every move, so a slider change redraws only the path, the
    curve and the text over the cached background. The background (contours, axes) is
    redrawn only when the number of steps, and with it the x-axis, changes.

    Parameters
    ----------
    objective : a 2-D helpers.objectives.Objective (default: ROSENBROCK)
    f_limits : (low, high) y-limits of the f panel; values outside are clipped by the axes
    **kwargs : as for DescentExplorer (lr, beta, steps, start, lr_range, max_steps,
        contour_kw); f_offset is 0, so the panel shows f itself
    """

    def __init__(self, objective=ROSENBROCK, f_limits=(1e-14, 1e5), **kwargs):
        self.f_limits = tuple(f_limits)
        self._xmax = None
        kwargs.setdefault("lr_range", (-5, -1.5))
        super().__init__(objective, f_offset=0.0, **kwargs)

    def live(self, *axes):
        # nothing is redrawn whole on a slider move: the f panel's limits are fixed
        return axes[0] if len(axes) == 1 else axes

    def update(self):
        super().update()
        self.ax_f.set_ylim(*self.f_limits)
        steps = self.controls["steps"].value
        if steps != self._xmax:
            self._xmax = steps
            self.invalidate()
