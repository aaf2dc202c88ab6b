"""Notebook 01: the Rosenbrock facts it asserts, and RosenbrockExplorer driven through its sliders."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient, numerical_jacobian, relative_error
from helpers.objectives import PLATEAU, ROSENBROCK
from helpers.optim import GD, Momentum, Newton, minimize
from helpers.widgets import RosenbrockExplorer

X0 = np.array([-1.2, 1.0])
grad = ROSENBROCK.grad


def line_xy(line):
    """The plotted path, read back from the Line2D as an (n, 2) array."""
    return np.column_stack([np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)])


# ----------------------------------------------------------------- the analysis of the notebook

def test_hessian_at_the_minimum_and_its_condition_number():
    H = ROSENBROCK.hess(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(H, [[802.0, -400.0], [-400.0, 200.0]])
    assert np.linalg.det(H) == pytest.approx(400.0)
    lam = np.linalg.eigvalsh(H)
    np.testing.assert_allclose(lam, [501 - np.sqrt(250601), 501 + np.sqrt(250601)])
    assert lam[1] / lam[0] == pytest.approx(2508.0096, abs=1e-4)


@pytest.mark.parametrize("point", [(-1.2, 1.0), (0.0, 1.0), (0.5, 0.3), (1.7, -0.4)])
def test_gradient_and_hessian_match_central_differences(point):
    x = np.array(point)
    assert relative_error(grad(x), numerical_gradient(ROSENBROCK.f, x)) < 1e-7
    num_h = np.array([numerical_gradient(lambda v, i=i: grad(v)[i], x) for i in range(2)])
    assert relative_error(ROSENBROCK.hess(x), num_h) < 1e-7


@pytest.mark.parametrize("point", [(-6.0, -4.0), (0.0, 0.0), (2.5, -1.0), (4.0, 4.5)])
def test_plateau_derivatives_match_central_differences(point):
    x = np.array(point)
    assert relative_error(PLATEAU.grad(x), numerical_gradient(PLATEAU.f, x)) < 1e-7
    assert relative_error(PLATEAU.hess(x), numerical_jacobian(PLATEAU.grad, x)) < 1e-6


def test_plateau_is_flat_where_saturated_and_round_at_its_minimum():
    m = np.array(PLATEAU.minima[0])
    assert PLATEAU.f(m) < 1e-30 and np.abs(PLATEAU.grad(m)).max() < 1e-15
    np.testing.assert_allclose(PLATEAU.hess(m), 0.0081 * np.eye(2), rtol=1e-12, atol=1e-15)  # sigma'(ln 9)^2 = 0.09^2
    x = np.array([-8.0, -8.0])
    assert np.linalg.norm(PLATEAU.grad(x)) < 1e-3 and PLATEAU.f(x) > 0.8  # saturated: high and flat
    assert (np.linalg.eigvalsh(PLATEAU.hess(x)) < 0).all()                 # ... and slightly concave
    # the notebook's measurement: a tenfold step is ten times faster here, and pure Newton climbs
    f1, f10 = (PLATEAU.f(minimize(PLATEAU, np.array([-6.0, -4.0]), GD(lr), 1000)) for lr in (1.0, 10.0))
    assert int(np.argmax(f1 < 1e-6)) == 901 and int(np.argmax(f10 < 1e-6)) == 89
    newton = minimize(PLATEAU, np.array([-6.0, -4.0]), Newton(), 5)
    assert PLATEAU.f(newton[-1]) > PLATEAU.f(newton[0])


# ----------------------------------------------------------------- the explorer

def test_default_explorer_run_is_more_than_a_flat_line():
    ex = RosenbrockExplorer()
    try:
        v = ex.values()
        assert (v["lr"], v["beta"], v["steps"]) == (1.5e-3, 0.0, 3000)
        lo, hi = ex.ax_f.get_ylim()
        fv = ex.curve.get_ydata()
        assert (lo, hi) == pytest.approx((1e-10, 1e2))
        assert lo < fv.min() and fv.max() < hi                      # the whole run is inside the panel
        assert np.log10(fv.max() / fv.min()) > 0.25 * np.log10(hi / lo)  # and fills a quarter of its height
        assert ex.controls["steps"].max == 5000
    finally:
        plt.close(ex.fig)


@pytest.fixture
def explorer():
    ex = RosenbrockExplorer(lr=1e-3, beta=0.0, steps=500, start=(-1.2, 1.0))
    yield ex
    plt.close(ex.fig)


def test_initial_state_is_plain_gradient_descent(explorer):
    xy = line_xy(explorer.line)
    assert xy.shape == (501, 2)
    np.testing.assert_array_equal(xy, minimize(ROSENBROCK, X0, GD(1e-3), 500))
    np.testing.assert_allclose(xy[1], X0 - 1e-3 * grad(X0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(explorer.curve.get_ydata(), ROSENBROCK.f(xy))
    assert explorer.ax_f.get_yscale() == "log"


def test_lr_slider_sets_the_first_step(explorer, capsys):
    frame = explorer.image.value
    explorer.controls["lr"].value = 2e-3  # off the slider's grid: the explorer takes its nearest point
    lr = explorer.values()["lr"]
    assert lr == pytest.approx(10**-2.7, rel=1e-12)  # 10 ** (-3 + 6 * 0.05)
    xy = line_xy(explorer.line)
    np.testing.assert_allclose(xy[0], X0)
    np.testing.assert_allclose(xy[1], X0 - lr * grad(X0), rtol=0, atol=1e-12)
    # a larger rate gets further down the valley in the same 500 steps
    assert ROSENBROCK.f(xy[-1]) < 2.0
    assert explorer.image.value != frame
    assert capsys.readouterr().err == ""


def test_beta_slider_adds_momentum_from_the_second_step(explorer, capsys):
    frame = explorer.image.value
    explorer.controls["beta"].value = 0.9
    lr, beta = 1e-3, 0.9
    xy = line_xy(explorer.line)
    v1 = -lr * grad(X0)
    x1 = X0 + v1
    x2 = x1 + beta * v1 - lr * grad(x1)
    np.testing.assert_allclose(xy[1], x1, rtol=0, atol=1e-12)  # the first step has no velocity yet
    np.testing.assert_allclose(xy[2], x2, rtol=0, atol=1e-12)
    assert not np.allclose(xy[2], x1 - lr * grad(x1))          # ... the second one does
    np.testing.assert_array_equal(xy, minimize(ROSENBROCK, X0, Momentum(lr, beta), 500))
    assert explorer.image.value != frame
    assert capsys.readouterr().err == ""


def test_steps_slider_sets_the_path_length(explorer, capsys):
    frame = explorer.image.value
    explorer.controls["steps"].value = 120
    assert line_xy(explorer.line).shape == (121, 2)
    assert len(explorer.curve.get_xdata()) == 121
    assert explorer.ax_f.get_xlim() == (0, 120)
    assert explorer.image.value != frame
    explorer.controls["steps"].value = 1
    assert line_xy(explorer.line).shape == (2, 2)
    assert capsys.readouterr().err == ""


def test_start_sliders_move_the_start(explorer, capsys):
    frame = explorer.image.value
    explorer.controls["x0"].value = 0.5
    explorer.controls["y0"].value = 2.0
    start = np.array([explorer.controls["x0"].value, explorer.controls["y0"].value])
    np.testing.assert_allclose(start, [0.5, 2.0])
    xy = line_xy(explorer.line)
    np.testing.assert_array_equal(xy[0], start)
    np.testing.assert_allclose(xy[1], start - 1e-3 * grad(start), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(np.column_stack(explorer.start_marker.get_data()), [start])
    assert explorer.image.value != frame
    assert capsys.readouterr().err == ""


def test_a_too_large_rate_diverges_and_says_so(explorer, capsys):
    explorer.controls["lr"].value = 10 ** -1.5
    assert len(line_xy(explorer.line)) < 501
    assert explorer.status.get_text().startswith("diverged after")
    assert np.isfinite(explorer.curve.get_ydata()).all()
    assert explorer.ax_f.get_ylim() == pytest.approx((1e-10, 1e2))  # the f panel keeps its scale
    assert capsys.readouterr().err == ""


# ----------------------------------------------------------------------------- issue 20
# the facts the notebook now states, recomputed here with plain numpy (no helpers), and the false sentences gone

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
H_STAR = np.array([[802.0, -400.0], [-400.0, 200.0]])


def _f(x):
    x = np.asarray(x, float)
    return 100 * (x[..., 1] - x[..., 0] ** 2) ** 2 + (1 - x[..., 0]) ** 2


def _g(x):
    x1, x2 = x
    return np.array([-400 * x1 * (x2 - x1**2) - 2 * (1 - x1), 200 * (x2 - x1**2)])


def _h(x):
    x1, x2 = x
    return np.array([[1200 * x1**2 - 400 * x2 + 2, -400 * x1], [-400 * x1, 200.0]])


def _notebook_text(folder="notebooks"):
    import nbformat

    nb = nbformat.read(ROOT / folder / "01_rosenbrock.ipynb", as_version=4)
    return nb, "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _outputs(nb, cell_id):
    cell = next(c for c in nb.cells if c.get("id") == cell_id)
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_the_false_sentences_of_issue_20_are_gone():
    _, text = _notebook_text()
    for sentence in ("hyperbolas crossing at the saddle", "rings around the round minimum", "grows like $1200 x_1^2$",
                     "$\\eta\\lambda_{\\max}(x_0) \\gg 2$", "or enough damping to exploit it", "never drops below 200",
                     "(\"degenerate\" (a zero eigenvalue and the others of one sign"):
        assert sentence not in text, sentence
    # the worked answer's x2 appears only where its sign slip is pointed out
    assert "(200x_1^3 - x_1 + 1)/(200 x_1)" in text and "the sign of $x_1 - 1$ is flipped" in text
    assert "implies that $x^*$ is indeed a local" in text and "necessary, not sufficient" in text


def test_the_valley_floor_is_gentler_than_x_star_inside_and_steeper_outside():
    for x1, lam in [(0.0, 200.0), (0.5, 401.0025), (1.0, 1001.6006), (-1.2, 1353.7045)]:
        assert np.linalg.eigvalsh(_h((x1, x1 * x1)))[-1] == pytest.approx(lam, abs=1e-4)
        t = 800 * x1**2 + 202
        assert np.linalg.eigvalsh(_h((x1, x1 * x1)))[-1] == pytest.approx((t + np.sqrt(t * t - 1600)) / 2, rel=1e-12)
    # lambda_max >= H22 = 200 everywhere: the Rayleigh quotient of e2
    pts = np.random.default_rng(0).uniform(-3, 3, (2000, 2))
    assert min(np.linalg.eigvalsh(_h(p))[-1] for p in pts) >= 200


def test_the_worked_answers_x2_has_the_wrong_sign_and_finds_x1_equal_1_by_luck():
    x1 = np.array([-1.5, -0.5, 0.5, 2.0, 1.0])
    worked, right = (200 * x1**3 - x1 + 1) / (200 * x1), (200 * x1**3 + x1 - 1) / (200 * x1)
    df1 = lambda x2: 400 * (x1**3 - x1 * x2) + 2 * x1 - 2  # noqa: E731
    assert np.abs(df1(right)).max() < 1e-9
    assert (np.abs(df1(worked))[:-1] > 1).all() and abs(df1(worked)[-1]) < 1e-12  # right only at x1 = 1
    np.testing.assert_allclose(x1**2 - worked, (x1 - 1) / (200 * x1), atol=1e-15)
    np.testing.assert_allclose(x1**2 - right, (1 - x1) / (200 * x1), atol=1e-15)


def test_only_the_degenerate_level_of_g_crosses_its_saddle():
    g = lambda x1, x2: x1**2 + 8 * x1 - 2 * x2**2 + 12 * x2  # noqa: E731
    t = np.linspace(-3, 3, 25)
    for sign in (1, -1):
        np.testing.assert_allclose(g(-4 + sign * np.sqrt(2) * t, 3 + t), 2.0, atol=1e-12)
    # any other level c: (x1 + 4)^2 - 2 (x2 - 3)^2 = c - 2 != 0 cannot hold at the saddle
    assert g(-4, 3) == 2


def test_momentum_on_the_plateau_overshoots_to_a_second_shelf_and_is_faster_near_the_minimum():
    s = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    grad = lambda x: (s(x) - 0.9) * s(x) * (1 - s(x))  # noqa: E731
    x, v, path = np.array([-6.0, -4.0]), np.zeros(2), [np.array([-6.0, -4.0])]
    for _ in range(1300):
        v = 0.9 * v - grad(x)
        x = x + v
        path.append(x)
    path = np.array(path)
    far = int(np.argmax(path.sum(axis=1)))
    assert (path[far] > 6.8).all() and (s(path[far]) > 0.998).all()
    np.testing.assert_allclose(path[1000], [5.21, 4.84], atol=0.01)
    np.testing.assert_allclose(path[1250], [2.22, 2.20], atol=0.01)
    lam = 0.09**2  # sigma'(ln 9)^2
    assert 1 - lam == pytest.approx(0.9919)
    assert np.abs(np.roots([1, -(1.9 - lam), 0.9])).max() == pytest.approx(0.9487, abs=1e-4)


def _gd_blows_up(lr, steps=200, x0=(-1.2, 1.0)):
    x = np.array(x0)
    for _ in range(steps):
        x = x - lr * _g(x)
        if np.linalg.norm(x) > 1e6:
            return True
    return False


def test_gradient_descent_from_the_classic_start_blows_up_first_near_0_006153_with_islands_above():
    lo, hi = 4e-3, 1e-2
    while hi - lo > 1e-7:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if _gd_blows_up(mid) else (mid, hi)
    assert 0.00615 < lo < hi < 0.00616
    assert not _gd_blows_up(0.00616) and _gd_blows_up(0.00617)  # not monotone above the edge
    lam_x0 = np.linalg.eigvalsh(_h((-1.2, 1.0)))[-1]
    assert 1.5e-3 * lam_x0 > 2 and 4e-3 * lam_x0 > 2 and not _gd_blows_up(1.5e-3) and not _gd_blows_up(4e-3)


def test_newton_with_a_line_search_never_lets_f_rise_and_pure_newton_does():
    def run(search, steps=30):
        x, fs = np.array([-1.2, 1.0]), []
        for _ in range(steps):
            fs.append(_f(x))
            g, d = _g(x), -np.linalg.solve(_h(x), _g(x))
            if search and g @ d >= 0:
                d = -g
            t = 1.0
            while search and _f(x + t * d) > _f(x) + 1e-4 * t * g @ d:
                t /= 2
            x = x + t * d
        return np.array(fs + [_f(x)])

    pure, searched = run(False, 10), run(True)
    assert pure[2] > 1000 and (np.diff(pure) > 0).sum() == 2
    assert (np.diff(searched) <= 0).all() and int(np.argmax(searched < 1e-8)) == 20


def test_the_negative_curvature_direction_at_0_1_leads_into_the_minimum():
    x, t = np.array([0.0, 1.0]), np.linspace(0, 2, 2001)[1:]
    lam, V = np.linalg.eigh(_h(x))
    v = V[:, 0] * -np.sign(V[:, 0] @ _g(x))
    assert lam[0] == -398 and _f(x + t[:, None] * v).min() < 1e-20
    for d in (-_g(x), -np.linalg.solve(_h(x), _g(x))):
        assert _f(x + t[:, None] * d / np.linalg.norm(d)).min() > 0.9


def test_the_heavy_ball_rate_is_the_spectral_radius_of_the_4x4_iteration_matrix():
    """The notebook's third way to the same numbers: no case analysis, no eigenvectors."""
    from coursework.keys.rosenbrock import heavy_ball_rate

    lam = np.linalg.eigvalsh(H_STAR)
    for eta, beta in zip(np.linspace(2e-5, 4.2e-3, 23), np.linspace(0.0, 0.99, 23)):
        T = np.block([[(1 + beta) * np.eye(2) - eta * H_STAR, -beta * np.eye(2)], [np.eye(2), np.zeros((2, 2))]])
        assert np.abs(np.linalg.eigvals(T)).max() == pytest.approx(heavy_ball_rate(eta, beta, lam), rel=1e-9)
        assert (np.abs(np.linalg.eigvals(T)).max() < 1) == (eta * lam[1] < 2 * (1 + beta))


def test_nesterov_has_a_narrower_edge_and_a_slower_best_rate_than_heavy_ball_on_the_model():
    lam = np.linalg.eigvalsh(H_STAR)
    kappa = lam[1] / lam[0]

    def nesterov(eta, beta):
        return max(np.abs(np.roots([1, -(1 + beta) * (1 - eta * l), beta * (1 - eta * l)])).max() for l in lam)

    edge = 2 * 1.9 / 2.8 / lam[1]
    assert nesterov(0.999 * edge, 0.9) < 1 < nesterov(1.001 * edge, 0.9) and edge < 2 * 1.9 / lam[1]
    s3 = np.sqrt(3 * kappa + 1)
    best = nesterov(4 / (3 * lam[1] + lam[0]), (s3 - 2) / (s3 + 2))
    assert best == pytest.approx(1 - 2 / s3, abs=1e-9)
    grid = [nesterov(e, b) for e in np.linspace(1e-5, 1.6e-3, 40) for b in np.linspace(0, 0.999, 40)]
    assert min(grid) >= best - 1e-12 and best > (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)


def test_nesterov_lets_f_rise_far_less_often_than_heavy_ball_from_the_classic_start():
    def rises(nesterov):
        x, v, fs = np.array([-1.2, 1.0]), np.zeros(2), []
        for _ in range(3000):
            fs.append(_f(x))
            g = _g(x)
            v = 0.9 * v - 1e-3 * g
            x = x + 0.9 * v - 1e-3 * g if nesterov else x + v
        return int((np.diff(fs) > 1e-12).sum())

    assert rises(False) == 17 and rises(True) == 1


# ----------------------------------------------------------------------------- issue 24
# the student version is the assignment

def test_the_student_version_gives_no_asked_for_result_away():
    nb, text = _notebook_text("exercises")
    for answer in ("\\begin{pmatrix} 802", "802 & -400", "**saddle point**", "x_1 = 1,\\ x_2 = 1", "M_2 = \\det H^* = ",
                   "the component moves *uphill*", "the gradient is small *and so is the curvature*",
                   "\\sqrt{\\beta^*} = ", "(1 + \\beta)(1 - \\eta\\lambda)\\,e_k"):
        assert answer not in text, answer
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code")


def test_every_figure_of_notebook_01_has_alt_text():
    nb, _ = _notebook_text()
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 5
    assert all(str(o.get("metadata", {}).get("image/png", {}).get("alt", "")).strip() for o in images)
