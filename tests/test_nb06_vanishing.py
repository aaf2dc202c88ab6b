"""Notebook 06: the scalar sigmoid chain kernel (helpers.sigmoid_chain), both explorers, and the
student's Adam in the bump explorer."""

import numpy as np
import pytest

from helpers.activations import sigmoid, sigmoid_grad
from helpers.gradcheck import numerical_gradient, relative_error
from helpers.objectives import bump
from helpers.optim import GD, Adam, minimize
from helpers.sigmoid_chain import chain_backward, chain_forward, depth_profile, has_skip

NAMES = ("x", "w", "b", "w1", "b1")


def _y(p, depth, skips):
    x, w, b, w1, b1 = p
    return chain_forward(x, w, b, depth, skips, w1, b1)[0]


# --- helpers.sigmoid_chain -------------------------------------------------------------

def test_skip_pattern():
    assert [k for k in range(1, 12) if has_skip(k)] == [3, 5, 7, 9, 11]
    assert not any(has_skip(k, skips=False) for k in range(1, 12))


def test_forward_matches_the_written_out_chain():
    x, w, b, w1, b1 = 0.7, -1.3, 0.4, 2.0, -0.5
    h1 = sigmoid(w1 * x + b1)
    h2 = sigmoid(w * h1 + b)
    h3 = sigmoid(w * h2 + b)
    h4 = sigmoid(w * h3 + b)
    assert chain_forward(x, w, b, 5, False, w1, b1)[0] == pytest.approx(sigmoid(w * h4 + b), abs=1e-15)
    h3s = sigmoid(w * h2 + h1 + b)  # z'3 = w h2 + h1 + b
    h4s = sigmoid(w * h3s + b)
    y_skip = sigmoid(w * h4s + h3s + b)  # z'5 = w h4 + h3* + b
    assert chain_forward(x, w, b, 5, True, w1, b1)[0] == pytest.approx(y_skip, abs=1e-15)


@pytest.mark.parametrize("skips", [False, True])
@pytest.mark.parametrize("depth", [1, 2, 3, 5, 8])
def test_backward_matches_finite_differences(depth, skips):
    p = np.array([0.7, -1.3, 0.4, 2.0, -0.5])
    grads = chain_backward(chain_forward(*p[:3], depth, skips, *p[3:])[1])
    analytic = np.array([grads[n] for n in NAMES])
    numeric = numerical_gradient(lambda q: _y(q, depth, skips), p)
    assert relative_error(analytic, numeric) < 1e-7


def test_product_formula_of_the_plain_chain_and_the_bound():
    x, w, b = 1.5, 0.9, -0.3
    _, cache = chain_forward(x, w, b, 5)
    product = x * w**4 * np.prod(sigmoid_grad(cache["Z"]))
    assert chain_backward(cache)["w1"] == pytest.approx(product, rel=1e-12)
    assert abs(product) <= abs(x) * abs(w) ** 4 * 0.25**5


def test_path_sum_of_the_skip_chain_factorizes():
    x, w, b = 1.5, 0.9, -0.3
    _, cache = chain_forward(x, w, b, 5, skips=True)
    s1, s2, s3, s4, s5 = sigmoid_grad(cache["Z"])
    paths = x * s1 * s3 * s5 * (w**4 * s2 * s4 + w**2 * s2 + w**2 * s4 + 1.0)
    assert chain_backward(cache)["w1"] == pytest.approx(paths, rel=1e-12)
    assert paths == pytest.approx(x * s1 * s3 * s5 * (1 + w**2 * s2) * (1 + w**2 * s4), rel=1e-12)


def test_centred_chain_attains_the_bound_at_every_depth():
    # w = 4, b = -2, x = 0.5: every z_k is exactly 0, so every slope is exactly 1/4
    prof = depth_profile(0.5, 4.0, -2.0, 30)
    np.testing.assert_allclose(prof, 0.125, rtol=1e-12)


@pytest.mark.parametrize("skips", [False, True])
def test_vectorized_over_settings_and_depth_profile(skips):
    w = np.linspace(-3, 3, 7)[:, None]
    b = np.array([-1.0, 0.0, 1.0])
    y, cache = chain_forward(1.0, w, b, 6, skips)
    assert y.shape == (7, 3) and cache["Z"].shape == (6, 7, 3)
    prof = depth_profile(1.0, w, b, 6, skips)
    for L in range(1, 7):
        want = chain_backward(chain_forward(1.0, w, b, L, skips)[1])["w1"]
        np.testing.assert_allclose(prof[L - 1], want, rtol=1e-12, atol=1e-300)
    # one setting on its own gives the same numbers as inside the batch
    single = chain_backward(chain_forward(1.0, w[2, 0], b[1], 6, skips)[1])
    assert single["w1"] == pytest.approx(chain_backward(cache)["w1"][2, 1], rel=1e-14)


def test_inputs_are_not_modified_and_bad_depth_is_refused():
    w = np.array([0.5, 1.0])
    chain_backward(chain_forward(1.0, w, 0.0, 4, True)[1])
    np.testing.assert_array_equal(w, [0.5, 1.0])
    for bad in (0, -2, 2.5):
        with pytest.raises(ValueError, match="depth"):
            chain_forward(1.0, 1.0, 0.0, bad)


def test_saturated_chain_is_finite_and_silent():
    y, cache = chain_forward(3.0, 8.0, 6.0, 30, True)
    g = chain_backward(cache)
    assert np.isfinite(g["dz"]).all() and np.isfinite(y)


# --- helpers.objectives.bump ----------------------------------------------------------

@pytest.mark.parametrize("h", [0.05, 0.2, 0.4102, 0.5, 1.0, 5.0])
def test_bump_gradient_agrees_with_central_differences_away_from_the_kinks(h):
    """The slope bump(h).grad against central differences of bump(h).f at 400 points on [-1, 3 + 3h],
    each at least 1e-3 from the kinks 1, 1 + h and 2 + 2h (central differences straddle a kink there)."""
    obj = bump(h)
    xs = np.linspace(-1.0, 3.0 + 3.0 * h, 400)
    xs = xs[np.min(np.abs(xs[:, None] - np.array([1.0, 1.0 + h, 2.0 + 2.0 * h])), axis=1) > 1e-3]
    assert len(xs) > 390
    d = 1e-6
    numeric = (obj.f((xs + d)[:, None]) - obj.f((xs - d)[:, None])) / (2 * d)
    analytic = obj.grad(xs[:, None])[:, 0]
    np.testing.assert_allclose(analytic, numeric, rtol=0, atol=1e-6)
    assert set(np.unique(analytic)) == {-1.0, 1.0}
    for x in xs[::37]:  # and helpers.gradcheck's own central differences, point by point
        assert relative_error(obj.grad(np.array([x]))[0], numerical_gradient(obj.f, np.array([x]))[0]) < 1e-6


# --- explorers -------------------------------------------------------------------------

pytest.importorskip("ipywidgets")


def _frame(explorer):
    return bytes(explorer.image.value)


def test_chain_explorer_plots_the_kernel_gradients(capsys):
    from helpers.widgets import ChainExplorer

    e = ChainExplorer(depth=5, w=1.0, b=0.0, x=1.0, skips=False)
    plain, skip = e.lines[False], e.lines[True]
    want_plain = np.abs(chain_backward(chain_forward(1.0, 1.0, 0.0, 5)[1])["dz"])
    np.testing.assert_allclose(plain.get_ydata(), want_plain)
    np.testing.assert_array_equal(plain.get_xdata(), np.arange(1, 6))
    assert plain.get_linewidth() > skip.get_linewidth()

    before = _frame(e)
    e.controls["depth"].value = 12
    assert len(plain.get_xdata()) == 12 and len(skip.get_xdata()) == 12
    assert _frame(e) != before

    e.controls["w"].value = 0.5
    e.controls["b"].value = -0.4
    e.controls["x"].value = 2.0
    want_skip = np.abs(chain_backward(chain_forward(2.0, 0.5, -0.4, 12, True)[1])["dz"])
    np.testing.assert_allclose(skip.get_ydata(), want_skip)
    # small w: the skip chain's gradient at layer 1 is far larger
    assert skip.get_ydata()[0] > 100 * plain.get_ydata()[0]

    before = _frame(e)
    e.controls["skips"].value = True
    assert skip.get_linewidth() > plain.get_linewidth()
    H = chain_forward(2.0, 0.5, -0.4, 12, True)[1]["H"]
    np.testing.assert_allclose(e.h_line.get_ydata(), H)
    np.testing.assert_allclose(e.s_line.get_ydata(), H * (1 - H))
    assert _frame(e) != before
    assert "with skips" in e.status.get_text()

    # w = 0 leaves the layers below the last without gradient: floored, finite, no warning
    e.controls["skips"].value = False
    e.controls["w"].value = 0.0
    assert np.isfinite(np.log10(plain.get_ydata())).all()
    lo, hi = e.ax.get_ylim()
    assert lo <= plain.get_ydata().min() and hi >= plain.get_ydata().max()
    assert capsys.readouterr().err == ""


def test_bump_explorer_runs_gd_and_adam(capsys):
    from helpers.widgets import BumpExplorer

    e = BumpExplorer(lr=0.3, beta1=0.9, beta2=0.999, h=0.5, steps=40)
    gd_x, adam_x = e.gd_line.get_ydata(), e.adam_line.get_ydata()
    np.testing.assert_allclose(gd_x[:7], [0, 0.3, 0.6, 0.9, 1.2, 0.9, 1.2], atol=1e-12)
    np.testing.assert_allclose(adam_x[:9], [0, 0.3, 0.6, 0.9, 1.2, 1.3535, 1.4102, 1.3985, 1.3362], atol=5e-5)
    # points drawn on the landscape: (x_k, f(x_k))
    np.testing.assert_allclose(e.adam_pts.get_ydata(), bump(0.5).f(np.asarray(adam_x)[:, None]))
    assert "Adam: stuck" in e.status.get_text()

    before = _frame(e)
    e.controls["h"].value = 0.4
    assert e.peak_line.get_ydata()[0] == pytest.approx(1.4)
    assert "Adam: escaped" in e.status.get_text() and "GD: stuck" in e.status.get_text()
    assert e.curve.get_ydata().min() == pytest.approx(-1.0, abs=1e-2)
    assert _frame(e) != before

    lr = 0.3 * 10**-0.5  # a point of the slider's grid, 0.3 times 10 ** (0.05 k)
    e.controls["lr"].value = lr
    want = minimize(bump(0.4), [0.0], GD(lr), 40)[:, 0]
    np.testing.assert_allclose(e.gd_line.get_ydata(), want)
    assert e.gd_line.get_ydata()[1] == pytest.approx(lr)

    e.controls["beta1"].value = 0.5
    e.controls["beta2"].value = 0.99
    want = minimize(bump(0.4), [0.0], Adam(lr, 0.5, 0.99), 40)[:, 0]
    np.testing.assert_allclose(e.adam_line.get_ydata(), want)
    assert capsys.readouterr().err == ""


def test_bump_explorer_runs_the_students_adam(capsys):
    from coursework.keys.vanishing import adam_step
    from helpers.widgets import BumpExplorer

    e = BumpExplorer(steps=30, adam_step=adam_step)  # the reference as "the student's": the same path
    np.testing.assert_allclose(e.mine_line.get_ydata(), e.adam_line.get_ydata(), atol=1e-12)
    assert e.status.get_text().splitlines()[-1] == "your Adam: stuck, highest x = 1.4102 (same as Adam)"
    assert "your Adam" in [t.get_text() for t in e.ax.get_legend().get_texts()]

    def no_correction(x, g, m, v, t, lr, beta1, beta2, eps):
        m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g**2
        return x - lr * m / (np.sqrt(v) + eps), m, v

    e = BumpExplorer(steps=30, adam_step=no_correction)
    want = minimize(bump(0.5), [0.0], Adam(0.3, bias_correction=False), 30)[:, 0]
    np.testing.assert_allclose(e.mine_line.get_ydata(), want, rtol=1e-12)
    assert "your Adam: escaped" in e.status.get_text() and "differs by" in e.status.get_text()
    e.controls["beta1"].value = 0.5  # the student's rule follows the sliders too
    want = minimize(bump(0.5), [0.0], Adam(0.3, 0.5, bias_correction=False), 30)[:, 0]
    np.testing.assert_allclose(e.mine_line.get_ydata(), want, rtol=1e-12)

    def stub(*args):
        raise NotImplementedError("write this function, then run the check below it")

    def broken(x, g, m, v, t, lr, beta1, beta2, eps):
        return x  # one value where three are expected

    for fn, says in ((stub, "your Adam: not yet written"), (broken, "your Adam raised ValueError")):
        e = BumpExplorer(steps=30, adam_step=fn)
        assert e.status.get_text().splitlines()[-1].startswith(says)
        assert len(e.mine_line.get_xdata()) == 0 and "Adam: stuck" in e.status.get_text()
    e = BumpExplorer(steps=30, adam_step=lambda x, g, m, v, *a: (x * np.nan, m, v))
    assert e.status.get_text().splitlines()[-1] == "your Adam: diverged after 0 steps"
    assert "your Adam" not in BumpExplorer(steps=5).status.get_text()
    assert capsys.readouterr().err == ""
