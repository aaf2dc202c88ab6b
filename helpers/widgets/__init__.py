"""Interactive explorers for JupyterLab (:mod:`.base`); ipywidgets is imported in this package only."""

from .base import Explorer, class_labels, dropdown, grid_value, int_slider, linear_slider, log_slider, snap
from .bump import BumpExplorer
from .descent import DescentExplorer, RosenbrockExplorer
from .hidden_units import HiddenUnitsExplorer
from .learning_rate import LearningRateExplorer
from .playground import PlaygroundExplorer
from .sigmoid_chain import ChainExplorer
from .training import TrainingExplorer

__all__ = ["Explorer", "class_labels", "dropdown", "grid_value", "int_slider", "linear_slider", "log_slider", "snap",
           "BumpExplorer", "DescentExplorer",
           "RosenbrockExplorer", "HiddenUnitsExplorer", "LearningRateExplorer", "PlaygroundExplorer",
           "ChainExplorer", "TrainingExplorer"]
