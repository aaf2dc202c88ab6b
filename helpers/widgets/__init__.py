"""Interactive explorers for JupyterLab, built on ipywidgets.

An explorer owns one matplotlib Figure, draws its background once and, on every control
change, recomputes with the kernels (``minimize``, ``fit``), moves its existing artists
and redraws only those over the cached background (:mod:`.base`). ipywidgets is imported
in this package only, so the kernels import without it.
"""

from .base import Explorer, int_slider, linear_slider, log_slider, snap
from .bump import BumpExplorer
from .descent import DescentExplorer, RosenbrockExplorer
from .hidden_units import HiddenUnitsExplorer
from .learning_rate import LearningRateExplorer
from .playground import PlaygroundExplorer
from .sigmoid_chain import ChainExplorer
from .training import TrainingExplorer

__all__ = ["Explorer", "int_slider", "linear_slider", "log_slider", "snap", "BumpExplorer", "DescentExplorer",
           "RosenbrockExplorer", "HiddenUnitsExplorer", "LearningRateExplorer", "PlaygroundExplorer",
           "ChainExplorer", "TrainingExplorer"]
