import os

import matplotlib

# Headless: tests never open a window, and explorers render through Agg anyway.
os.environ.setdefault("MPLBACKEND", "Agg")
matplotlib.use("Agg")
