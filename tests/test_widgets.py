"""The explorer base: slider factories, blitting, and the generic descent explorer."""

import numpy as np
import pytest

from helpers.objectives import ROSENBROCK, SADDLE
from helpers.widgets import DescentExplorer, linear_slider, log_slider


@pytest.mark.parametrize("value,lo,hi", [(0.5, -2, 2), (0.3, -2, 0), (1e-3, -5, -1), (0.0123, -4, 0)])
def test_log_slider_puts_its_value_on_the_browser_grid(value, lo, hi):
    s = log_slider("learning rate", value, lo, hi)
    k = (np.log10(value) - s.min) / s.step
    assert abs(k - round(k)) < 1e-9
    assert lo - s.step < s.min <= lo and s.max == hi and s.value == value


def test_slider_factories_reject_values_out_of_range():
    with pytest.raises(ValueError, match="outside"):
        log_slider("learning rate", 5.0, -3, 0)
    assert linear_slider("beta", 0.9, 0.0, 0.99, 0.01).value == 0.9


def test_descent_explorer_first_step_and_redraw(capsys):
    ex = DescentExplorer(ROSENBROCK, lr=1e-3, beta=0.0, steps=50, start=(-1.2, 1.0))
    frame = ex.image.value
    assert frame[:8] == b"\x89PNG\r\n\x1a\n"  # a PNG frame
    ex.controls["lr"].value = 10**-2.7  # a point of the slider's grid, 10 ** (-3 + 6 * 0.05)
    xs, ys = ex.line.get_xdata(), ex.line.get_ydata()
    x0 = np.array([-1.2, 1.0])
    np.testing.assert_allclose([xs[1], ys[1]], x0 - 10**-2.7 * ROSENBROCK.grad(x0))
    assert len(xs) == 51 and ex.image.value != frame
    ex.controls["x0"].value = 0.5
    assert ex.line.get_xdata()[0] == 0.5 and tuple(ex.start_marker.get_xdata()) == (0.5,)
    ex.controls["steps"].value = 10
    assert len(ex.line.get_xdata()) == 11 and len(ex.curve.get_xdata()) == 11
    # momentum: the second step adds beta times the first
    ex.controls["beta"].value = 0.5
    p = ex.path
    np.testing.assert_allclose(p[2] - p[1], 0.5 * (p[1] - p[0]) - 10**-2.7 * ROSENBROCK.grad(p[1]))
    assert ex.frames == 5
    assert capsys.readouterr().err == ""


def test_descent_explorer_reports_divergence():
    ex = DescentExplorer(SADDLE, lr=0.5, steps=200, start=(0.0, 0.0), lr_range=(-3, 0), f_offset=None)
    # along x2 the saddle is a maximum: gradient descent runs away and the run stops early
    assert len(ex.path) < 201
    assert ex.status.get_text().startswith("diverged after")


# ------------------------------------------------------------- a student's session, unit by unit
# What the browser sends is computed by tests/_browser.py, as JupyterLab's slider views compute it.
import math  # noqa: E402
import sys  # noqa: E402

import _browser as browser  # noqa: E402

from helpers.data import load_dataset, load_iris, make_xor, one_hot  # noqa: E402
from helpers.objectives import bump  # noqa: E402
from helpers.optim import GD, Adam, minimize  # noqa: E402
from helpers.widgets import (  # noqa: E402
    BumpExplorer,
    ChainExplorer,
    HiddenUnitsExplorer,
    LearningRateExplorer,
    PlaygroundExplorer,
    RosenbrockExplorer,
    TrainingExplorer,
)


@pytest.fixture(scope="module")
def digits():
    X_tr, y_tr, X_te, y_te = load_dataset("digits", seed=0)
    return X_tr[:300], y_tr[:300], X_te[:100], y_te[:100]


@pytest.fixture(scope="module")
def iris_plane():
    X, y = load_iris()
    return X[::2], y[::2], X[1::2], y[1::2], np.eye(4)[:, :2]


@pytest.fixture(scope="module")
def xor():
    return make_xor(200, 0.5, seed=0)


@pytest.mark.parametrize("value,lo,hi", [(1.5e-3, -5, -1.5), (0.5, -2, 2), (0.3, -2, 0), (0.05, -4, 0), (1e-3, -6, -2)])
def test_the_browsers_round_trip_of_a_log_slider_gives_back_the_rate_shown(value, lo, hi):
    ex = DescentExplorer(ROSENBROCK, lr=value, lr_range=(lo, hi), steps=5)
    s = ex.controls["lr"]
    browser.send(s, {"value": browser.display_echo(s)})  # drawn: the view sends 10 ** position back
    assert ex.values()["lr"] == value  # exactly the constructor's value
    step_pct = 100 * s.step / (s.max - s.min)
    for pct in (0.0, 12.3, 50.0, 87.6, 100.0):
        browser.send(s, {"value": browser.browser_value(s, pct)})
        k = browser.js_round(pct / step_pct)
        on_top = pct == 100.0 and abs((s.max - s.min) / s.step - round((s.max - s.min) / s.step)) > 1e-9
        want = float(f"{10 ** (s.max if on_top else s.min + k * s.step):.12g}")
        assert ex.values()["lr"] == want
        browser.send(s, {"value": browser.display_echo(s)})  # ... and its round trip changes nothing
        assert ex.values()["lr"] == want


@pytest.mark.parametrize("make", [
    lambda d: RosenbrockExplorer(lr=1.5e-3, steps=300),
    lambda d: DescentExplorer(SADDLE, lr=0.0123, lr_range=(-4, 0), steps=50, start=(0.5, 0.5), f_offset=None),
    lambda d: PlaygroundExplorer(*d["xor"], lr=0.1, beta=0.9),
    lambda d: BumpExplorer(lr=0.3, beta1=0.9, beta2=0.999, h=0.5, steps=30),
    lambda d: ChainExplorer(depth=7, w=1.3, b=-0.35, x=0.7),
    lambda d: TrainingExplorer(*d["digits"], hidden=8, lr=0.05, epochs=2, l2=1e-3, beta=0.9),
    lambda d: HiddenUnitsExplorer(*d["iris"], hidden=3, lr=0.5, epochs=20, resolution=20),
], ids=["rosenbrock", "descent", "playground", "bump", "chain", "training", "hidden_units"])
def test_a_control_that_receives_the_value_it_shows_recomputes_nothing(make, xor, digits, iris_plane):
    ex = make({"xor": xor, "digits": digits, "iris": iris_plane})
    before, frames = dict(ex.values()), ex.frames
    echoes = 0
    for w in ex.controls.values():
        if browser.slider_kind(w) in ("log", "float"):
            for value in (browser.display_echo(w), w.value * (1 + 1e-15) if w.value else 1e-17):
                if value is not None:
                    browser.send(w, {"value": value})
                    echoes += 1
        elif hasattr(w, "value"):
            browser.send(w, {"value" if not hasattr(w, "index") else "index":
                             w.value if not hasattr(w, "index") else w.index})
    assert echoes
    assert ex.frames == frames and ex.values() == before


def test_the_explorer_takes_the_grid_point_a_slider_shows_and_the_exact_value_it_started_with():
    ex = RosenbrockExplorer(lr=1.5e-3, steps=50)
    s = ex.controls["lr"]
    assert browser.display_echo(s) == 10 ** math.log10(1.5e-3) != 1.5e-3  # 0.0015000000000000005
    browser.send(s, {"value": browser.display_echo(s)})
    np.testing.assert_array_equal(ex.path, minimize(ROSENBROCK, [-1.2, 1.0], GD(1.5e-3), 50))
    s.value = 3e-3  # typed into the readout: the slider, and so the explorer, shows its nearest grid point
    assert ex.values()["lr"] == pytest.approx(1.5e-3 * 10 ** (6 * 0.05), rel=1e-11)


def test_playground_starts_again_from_the_initial_weights_after_divergence(xor):
    X, y = xor[0] * 5, xor[1]  # spread out: large rates diverge within a few steps
    ex = PlaygroundExplorer(X, y, hidden=4, lr=0.1, beta=0.9, seed=0, steps=200)
    lr = ex.controls["lr"]
    browser.send(lr, {"value": browser.browser_value(lr, 100.0)})  # the largest rate, 10 ** 0.5
    ex.train(200)
    assert ex.diverged
    assert "initial weights" in ex.status.get_text()  # the message says what Train and Step will do
    browser.send(lr, {"value": 10 ** math.log10(0.1)})  # back to 0.1, as the browser sends it
    browser.click(ex.train_button)
    fresh = PlaygroundExplorer(X, y, hidden=4, lr=0.1, beta=0.9, seed=0, steps=200)
    fresh.train(200)
    assert not ex.diverged and len(ex.losses) == 200
    np.testing.assert_array_equal(ex.losses, fresh.losses)  # the run of a fresh start at the lower rate
    np.testing.assert_array_equal(ex.model.get_flat(), fresh.model.get_flat())
    assert "started again from" in ex.status.get_text()

    browser.send(lr, {"value": browser.browser_value(lr, 100.0)})
    ex.train(200)
    assert ex.diverged
    browser.send(lr, {"value": 10 ** math.log10(0.1)})
    browser.click(ex.step_button)  # Step too
    first = PlaygroundExplorer(X, y, hidden=4, lr=0.1, beta=0.9, seed=0)
    first.step()
    assert ex.losses == first.losses and not ex.diverged


@pytest.mark.parametrize("make, says", [
    (lambda d: TrainingExplorer(*d["digits"], hidden=1000, train=False),
     r"hidden units = 1000 is outside the allowed range 1 to 256 \(widen it with max_hidden\)"),
    (lambda d: TrainingExplorer(*d["digits"], epochs=500, train=False),
     r"epochs = 500 is outside the allowed range 1 to 100 \(widen it with max_epochs\)"),
    (lambda d: TrainingExplorer(*d["digits"], batch_size=1000, train=False),
     r"batch size = 1000 is outside the allowed range 8 to 300 \(widen it with batch_range"),
    (lambda d: TrainingExplorer(*d["digits"], l2=1e-9, train=False),
     r"L2 penalty c = 1e-09 is outside the allowed range 1e-06 to 0.1 \(widen it with l2_range, or pass l2=0\)"),
    (lambda d: TrainingExplorer(*d["digits"], rule="sgd", train=False),
     r"update rule = 'sgd' is not one of the allowed choices: gd, momentum, nesterov, adam"),
    (lambda d: RosenbrockExplorer(steps=10000),
     r"steps = 10000 is outside the allowed range 1 to 5000 \(widen it with max_steps\)"),
    (lambda d: RosenbrockExplorer(lr=0.5),
     r"learning rate = 0.5 is outside the allowed range 1e-05 to 0.0316228 \(widen it with lr_range\)"),
    (lambda d: RosenbrockExplorer(start=(5.0, 1.0)), r"start x1 = 5 is outside the allowed range -2 to 2$"),
    (lambda d: PlaygroundExplorer(*d["xor"], hidden=100),
     r"hidden units = 100 is outside the allowed range 1 to 16 \(widen it with max_hidden\)"),
    (lambda d: PlaygroundExplorer(*d["xor"], beta=1.5), r"momentum beta = 1.5 is outside the allowed range 0 to 0.99$"),
    (lambda d: HiddenUnitsExplorer(*d["iris"], hidden=100),
     r"hidden units NH = 100 is outside the allowed range 1 to 32 \(widen it with max_hidden\)"),
    (lambda d: ChainExplorer(depth=100),
     r"depth L = 100 is outside the allowed range 1 to 30 \(widen it with max_depth\)"),
    (lambda d: ChainExplorer(w=20.0), r"weight w = 20 is outside the allowed range -8 to 8$"),
    (lambda d: BumpExplorer(h=5.0),
     r"bump height h = 5 is outside the allowed range 0.05 to 1.5 \(widen it with max_h\)"),
    (lambda d: LearningRateExplorer(np.zeros(1), {"q": lambda th: (float(th @ th), 2 * th)}, steps=1000),
     r"steps = 1000 is outside the allowed range 1 to 200 \(widen it with max_steps\)"),
], ids=["hidden", "epochs", "batch", "l2", "rule", "steps", "lr", "start", "pg-hidden", "pg-beta", "nh", "depth", "w",
        "h", "lr-steps"])
def test_an_argument_outside_its_controls_range_is_one_clear_error(make, says, xor, digits, iris_plane):
    with pytest.raises(ValueError, match=says) as err:
        make({"xor": xor, "digits": digits, "iris": iris_plane})
    assert "\n" not in str(err.value)


def test_integer_and_one_hot_labels_give_the_same_explorers(xor, digits, iris_plane):
    X_tr, y_tr, X_te, y_te = digits
    runs = [TrainingExplorer(X_tr, y, X_te, yt, hidden=8, lr=0.05, epochs=2) for y, yt in
            ((y_tr, y_te), (one_hot(y_tr, 10), one_hot(y_te, 10)), (one_hot(y_tr, 10), y_te))]
    for ex in runs[1:]:
        assert ex.n_classes == 10 and ex.history.loss == runs[0].history.loss
        assert ex.history.val_acc == runs[0].history.val_acc
    X_a, y_a, X_b, y_b, basis = iris_plane
    a = HiddenUnitsExplorer(X_a, y_a, X_b, y_b, basis, hidden=3, epochs=20, resolution=20)
    b = HiddenUnitsExplorer(X_a, one_hot(y_a, 3), X_b, one_hot(y_b, 3), basis, hidden=3, epochs=20, resolution=20)
    assert a.history.loss == b.history.loss and np.array_equal(a.regions.get_array(), b.regions.get_array())
    X, y = xor
    p, q = PlaygroundExplorer(X, y), PlaygroundExplorer(X, one_hot(y, 2))
    p.train(20)
    q.train(20)
    assert p.losses == q.losses
    with pytest.raises(ValueError, match="0/1 labels"):
        PlaygroundExplorer(X, one_hot(y + 1, 3))


def test_errors_in_the_students_adam_stay_in_the_explorer(capsys):
    def exits(*args):
        sys.exit()

    def exits_with(*args):
        raise SystemExit(3)

    class Odd(BaseException):
        pass

    def odd(*args):
        raise Odd("a BaseException of its own")

    def chatty(x, g, m, v, t, lr, beta1, beta2, eps):
        print("step", t)  # a debugging print, then sys.exit()
        return exits()

    for fn, says in ((exits, "your Adam raised SystemExit"), (exits_with, "your Adam raised SystemExit: 3"),
                     (odd, "your Adam raised Odd: a BaseException of its own"),
                     (chatty, "your Adam raised SystemExit")):
        e = BumpExplorer(steps=20, adam_step=fn)
        assert e.status.get_text().splitlines()[-1] == says
        browser.send(e.controls["beta1"], {"value": 0.5})  # and again from a slider
        assert e.status.get_text().splitlines()[-1] == says
        np.testing.assert_array_equal(e.adam_line.get_ydata(), minimize(bump(0.5), [0.0], Adam(0.3, 0.5), 20)[:, 0])
    assert capsys.readouterr().out == ""  # the student's prints are not repeated at every move

    def interrupted(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # the student's own Ctrl-C still stops the kernel's work
        BumpExplorer(steps=20, adam_step=interrupted)


def test_a_frame_whose_axes_move_redraws_them_as_a_full_draw_would():
    from helpers.widgets import ChainExplorer

    ex = ChainExplorer(depth=20, w=1.0)
    moved = 0
    for w in (3.0, -6.0, 0.5, 6.0):  # the gradient spans other decades: the left panel's y-axis moves
        before = ex.ax.get_ylim()
        ex.controls["w"].value = w
        moved += ex.ax.get_ylim() != before
        frame = np.asarray(ex.canvas.buffer_rgba()).copy()
        ex.invalidate()
        ex.render()  # the whole figure drawn again
        np.testing.assert_array_equal(frame, np.asarray(ex.canvas.buffer_rgba()))
    assert moved >= 2



def test_a_tick_label_grown_past_its_column_is_drawn_as_a_full_draw_would(digits):
    # the columns are measured with the x-axis of 5 epochs; at 30 the last tick label "30" reaches past the
    # border into the next axes' column, which that frame does not redraw: the frame is drawn whole instead
    ex = TrainingExplorer(*digits, hidden=8, lr=0.05, epochs=5, batch_size=296)
    ex.controls["epochs"].value = 30
    ex.train()
    frame = np.asarray(ex.canvas.buffer_rgba()).copy()
    ex.invalidate()
    ex.render()
    np.testing.assert_array_equal(frame, np.asarray(ex.canvas.buffer_rgba()))


def test_limits_seen_again_are_copied_from_the_columns_kept_as_a_full_draw_would_draw_them(monkeypatch):
    monkeypatch.setattr(DescentExplorer, "columns", 2)
    ex = DescentExplorer(ROSENBROCK, lr=1e-3, steps=300, start=(-1.2, 1.0), lr_range=(-5, -1.5))
    draws, draw = [], ex.ax_f.draw
    monkeypatch.setattr(ex.ax_f, "draw", lambda renderer: draws.append(1) or draw(renderer))
    labels = ex.ax_f.xaxis.label, ex.ax_f.yaxis.label
    # lr moves f's decades, the y-axis (other tick labels: the y label moves too); steps the x-axis. The third
    # move is a copy, and the fourth must place the y label for the copied limits, not for the last drawn;
    for setting, value, drawn in (("lr", 3e-3, 1), ("lr", 1e-3, 1), ("lr", 3e-3, 0), ("steps", 200, 1),
                                  ("steps", 300, 0), ("lr", 1e-3, 1)):  # the last: dropped, only 2 are kept
        before = len(draws)
        ex.controls[setting].value = value
        assert len(draws) - before == drawn and len(ex._drawn) <= 2
        frame, kept = np.asarray(ex.canvas.buffer_rgba()).copy(), dict(ex._drawn)
        places = [label.get_position() for label in labels]
        ex.invalidate()
        ex.render()  # the whole figure drawn again, its labels placed anew
        np.testing.assert_array_equal(frame, np.asarray(ex.canvas.buffer_rgba()))
        assert places == [label.get_position() for label in labels]
        ex._drawn.update(kept)  # a full draw forgets the columns kept; these are still right


def test_settings_seen_again_are_drawn_from_the_runs_kept_as_a_fresh_explorer_draws_them(monkeypatch):
    import helpers.widgets.descent as descent

    monkeypatch.setattr(DescentExplorer, "CACHE", 2)
    calls = []
    run = descent.minimize_run
    monkeypatch.setattr(descent, "minimize_run", lambda *args: calls.append(args[2].lr) or run(*args))
    ex = DescentExplorer(ROSENBROCK, lr=1e-3, steps=300, start=(-1.2, 1.0), lr_range=(-5, -1.5))
    first = ex.image.value
    ex.path[:] = 0.0  # what a student does with ex.path does not reach the runs kept
    ex.controls["lr"].value = 3e-3
    ex.controls["lr"].value = 1e-3  # seen: no descent, the same frame and path
    assert len(calls) == 2 and ex.image.value == first
    fresh = DescentExplorer(ROSENBROCK, lr=1e-3, steps=300, start=(-1.2, 1.0), lr_range=(-5, -1.5))
    assert ex.image.value == fresh.image.value and np.array_equal(ex.path, fresh.path)
    for lr in (1e-4, 1e-2, 3e-3):  # only the last CACHE settings are kept: 1e-3 and 3e-3 were dropped
        ex.controls["lr"].value = lr
    # fresh's run, then ours
    assert ex._descend.cache_info().currsize == 2 and calls[2:] == [1e-3, 1e-4, 1e-2, calls[1]]


def test_an_axes_whose_legend_follows_the_data_is_always_drawn():
    from helpers.widgets import ChainExplorer

    ex = ChainExplorer(depth=20, w=1.0)
    ex.ax.legend(fontsize=8, loc="best")  # placed where the curves are not: the column depends on them
    ex.invalidate()
    moved = 0
    for w in (-6.0, 3.0, -6.0):  # the y-axis moves at each
        before = ex.ax.get_ylim()
        ex.controls["w"].value = w
        moved += ex.ax.get_ylim() != before
    assert moved == 3 and not ex._drawn
    ex.ax.legend(fontsize=8, loc="lower right")
    ex.controls["w"].value = 3.0
    assert ex._drawn
