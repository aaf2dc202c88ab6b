"""Latency of every explorer in the bundle: one slider move = recompute + redraw (Agg).

Each explorer is built as its notebook builds it; then its main slider is dragged across
the middle of its range in 25 moves and the median and the largest ``last_ms`` (update
plus render plus PNG encoding) are printed, with the median size of a frame (what a
remote hub sends to the browser per move); the largest time is usually a move whose axes
moved (that axes is redrawn into the cached background). Then the slider is dragged back over the
same values: explorers keep their last runs and the axes drawn for limits seen before, so a value
seen again is a frame without recomputing (printed as "dragged back"). On a shared, busy machine the wall
clock counts the time spent waiting for a core: the CPU time of the same frames is printed too.
Live-training explorers are also timed while they train: the median time of
one visible frame (redraw after some training) and the frames per second reached.
Targets: every frame <= 60 ms (issue 23), sliders <= 30 ms median (the retraining HiddenUnitsExplorer <= 50 ms),
live training <= 100 ms per visible update, frames under 40 KB (median).
"""

import time

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from coursework.keys import vanishing  # noqa: E402
from helpers import widgets  # noqa: E402
from helpers.data import load_digits, load_iris, make_xor, standardize, train_test_split  # noqa: E402
from helpers.nn import MLP  # noqa: E402
from helpers.objectives import ROSENBROCK, VALLEY  # noqa: E402

MOVES = 25


def _median_ms(explorer, name, values):
    slider = explorer.controls[name]
    times, cpu, sizes = [], [], []
    for v in values:
        t0 = time.process_time()
        slider.value = v
        cpu.append(1e3 * (time.process_time() - t0))
        times.append(explorer.last_ms)
        sizes.append(len(explorer.image.value))
    return float(np.median(times)), float(np.max(times)), float(np.median(sizes)), float(np.median(cpu)), max(cpu)


def _log_values(explorer, name):
    """A drag across the middle 80% of a log slider, in MOVES steps."""
    s = explorer.controls[name]
    lo, hi = s.min + 0.1 * (s.max - s.min), s.max - 0.1 * (s.max - s.min)
    return 10.0 ** np.linspace(lo, hi, MOVES)


def _two_two_two():
    theta0 = np.array([0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.5, 0.6, 0.3, 0.6])
    x, y = np.array([[0.1, 0.4]]), np.array([[0.1, 0.9]])

    def loss_and_grad(theta):
        w = theta
        params = {"W1": np.array([[w[0], w[1]], [w[2], w[3]]]).T, "b1": np.full(2, w[8]),
                  "W2": np.array([[w[4], w[5]], [w[6], w[7]]]).T, "b2": np.full(2, w[9])}
        loss, g = MLP.from_params(params, hidden="sigmoid", loss="mse").loss_and_grads(x, y)
        return loss, np.concatenate([g["W1"].T.ravel(), g["W2"].T.ravel(), [g["b1"].sum(), g["b2"].sum()]])

    return theta0, {"squared error": loss_and_grad}


def _iris_net(sizes, seed):
    """Notebook 04's network: every parameter, biases included, drawn from N(0, 0.05^2)."""
    g = np.random.default_rng(seed)
    shapes = {"W1": (sizes[0], sizes[1]), "b1": (sizes[1],), "W2": (sizes[1], 3), "b2": (3,)}
    return MLP.from_params({k: 0.05 * g.standard_normal(s) for k, s in shapes.items()}, hidden="softplus")


def cases():
    """(notebook, explorer name, kind, factory, slider to move)."""
    X_iris, y_iris = load_iris()
    Xtr, Xte, ytr, yte = train_test_split(X_iris, y_iris, test_size=0.3, seed=0)
    Xtr, mean, std = standardize(Xtr)
    Xte = standardize(Xte, mean, std)[0]
    basis = np.linalg.svd(Xtr - Xtr.mean(0), full_matrices=False)[2][:2].T
    X_dig, y_dig = load_digits()
    Dtr, Dte, dtr, dte = train_test_split(X_dig / 16.0, y_dig, test_size=0.2, seed=0)
    X_xor, y_xor = make_xor(200, 0.5, seed=0)
    theta0, runs = _two_two_two()
    out = [
        ("01", "RosenbrockExplorer", "2-D descent",
         lambda: widgets.RosenbrockExplorer(lr=1.5e-3, steps=3000, start=(-1.2, 1.0)), "lr"),
        ("01", "DescentExplorer (autoscaled f panel)", "2-D descent",
         lambda: widgets.DescentExplorer(ROSENBROCK, lr=1.5e-3, steps=3000, start=(-1.2, 1.0), lr_range=(-5, -1.5),
                                         max_steps=5000),
         "lr"),
        ("02", "LearningRateExplorer", "slider",
         lambda: widgets.LearningRateExplorer(theta0, runs, lr=0.5, steps=50), "lr"),
        ("03", "DescentExplorer (valley)", "2-D descent",
         lambda: widgets.DescentExplorer(VALLEY, lr=1e-3, steps=250, start=(1.0, 0.5), lr_range=(-6, -2),
                                         max_steps=1000, f_offset=None, f_limits=(-25, 20),
                                         contour_kw={"levels": 20}), "lr"),
        ("03", "PlaygroundExplorer", "live training",
         lambda: widgets.PlaygroundExplorer(X_xor, y_xor, hidden=4, lr=0.1, beta=0.9, steps=300), "lr"),
        ("04", "HiddenUnitsExplorer", "slider (retrains)",
         lambda: widgets.HiddenUnitsExplorer(Xtr, ytr, Xte, yte, basis, hidden=8, lr=0.5, epochs=300, max_hidden=32,
                                             lr_range=(-3, 1), make_model=_iris_net), "lr"),
        ("05", "TrainingExplorer", "live training",
         lambda: widgets.TrainingExplorer(Dtr, dtr, Dte, dte, hidden=64, lr=0.05, epochs=30, train=False), "lr"),
        ("06", "ChainExplorer", "slider", lambda: widgets.ChainExplorer(depth=20, w=1.0), "w"),
        ("06", "BumpExplorer", "slider",
         lambda: widgets.BumpExplorer(lr=0.3, h=0.5, steps=60, adam_step=vanishing.adam_step), "lr"),
    ]
    return out


def _frame_times(explorer, run):
    """Median and largest ms of one frame while ``run()`` trains, and the number of frames."""
    times, render = [], explorer.render

    def timed():
        t0 = time.perf_counter()
        render()
        times.append(1e3 * (time.perf_counter() - t0))

    explorer.render = timed
    t0 = time.perf_counter()
    run()
    wall = time.perf_counter() - t0
    explorer.render = render
    return float(np.median(times)), float(np.max(times)), len(times), wall


def main():
    print(f"{'nb':3s} {'explorer':38s} {'kind':18s} {'median ms':>9s} {'max ms':>7s} {'CPU ms: median':>14s} "
          f"{'max':>5s} {'KB/frame':>8s}  extra")
    for nb, name, kind, make, slider in cases():
        ex = make()
        s = ex.controls[slider]
        if isinstance(s.value, float) and hasattr(s, "base"):
            values = _log_values(ex, slider)
        else:
            values = np.linspace(s.min + 0.1 * (s.max - s.min), s.max - 0.1 * (s.max - s.min), MOVES)
        ms, worst, size, cpu, cpu_worst = _median_ms(ex, slider, values)
        extra = ""
        if kind != "live training":  # the same values back: settings and axis limits seen before
            back, back_worst = _median_ms(ex, slider, values[::-1][1:])[:2]
            extra = f"dragged back: median {back:.1f}, max {back_worst:.1f} ms"
        if kind == "live training":
            slider_value = ex.controls[slider].value
            ex.controls[slider].value = values[MOVES // 2]  # a learning rate that trains
            if name == "PlaygroundExplorer":
                frame, worst_frame, n, wall = _frame_times(ex, lambda ex=ex: ex.train(5000))
            else:
                frame, worst_frame, n, wall = _frame_times(ex, ex.train)
            ex.controls[slider].value = slider_value
            extra = (f"training {wall:.2f} s: {n} frames, median {frame:.1f} ms, largest {worst_frame:.1f} ms "
                     "(a frame whose axes moved)")
        print(f"{nb:3s} {name:38s} {kind:18s} {ms:9.1f} {worst:7.1f} {cpu:14.1f} {cpu_worst:5.0f} "
              f"{size / 1e3:8.1f}  {extra}")
    print("targets: every frame <= 60 ms; sliders <= 30 ms median (HiddenUnits, which retrains, <= 50 ms); "
          "live training <= 100 ms per visible update; frames < 40 KB")


if __name__ == "__main__":
    main()
