"""Kernel edges: infinite logits, huge float32 inputs, empty batches, bad settings; each is
the mathematically right limit without a warning, or one clear ValueError."""

import numpy as np
import pytest

from helpers.activations import log_softmax, softmax
from helpers.gradcheck import numerical_gradient, numerical_jacobian
from helpers.losses import binary_cross_entropy_with_logits, mse, softmax_cross_entropy
from helpers.nn import MLP


def test_softmax_takes_the_limit_at_plus_infinity_without_warnings():
    z = np.array([[np.inf, 1.0, np.inf], [1.0, -np.inf, 2.0], [0.0, 0.0, 0.0]])
    p = softmax(z, axis=1)
    np.testing.assert_array_equal(p[0], [0.5, 0.0, 0.5])
    assert p[1, 1] == 0.0 and p[1, 2] == pytest.approx(1 / (1 + np.exp(-1)))
    np.testing.assert_allclose(p[2], 1 / 3)
    lp = log_softmax(np.array([np.inf, 1.0]))
    assert lp[0] == 0.0 and lp[1] == -np.inf
    for dtype in (np.float32, np.float64):
        assert softmax(np.array([1e4, -1e4], dtype=dtype)).dtype == dtype


@pytest.mark.parametrize("z,match", [([np.nan, 1.0], "NaN"), ([-np.inf, -np.inf], "-inf only")])
def test_softmax_refuses_what_has_no_limit(z, match):
    with pytest.raises(ValueError, match=match):
        softmax(np.array(z))
    with pytest.raises(ValueError, match=match):
        log_softmax(np.array(z))


def test_losses_of_huge_float32_inputs_stay_finite():
    big = np.full((2, 3), 1e30, np.float32)
    assert np.isfinite(mse(big, np.zeros_like(big))[0])
    loss, grad = binary_cross_entropy_with_logits(np.full(4, 3e38, np.float32), np.zeros(4, np.float32))
    assert np.isfinite(loss) and loss == pytest.approx(3e38, rel=1e-6) and grad.dtype == np.float32


@pytest.mark.parametrize("call", [
    lambda: mse(np.zeros((0, 3)), np.zeros((0, 3))),
    lambda: softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)),
    lambda: binary_cross_entropy_with_logits(np.zeros(0), np.zeros(0)),
    lambda: MLP([2, 3, 2]).loss_and_grads(np.zeros((0, 2)), np.zeros(0, dtype=int)),
])
def test_an_empty_batch_is_a_clear_error(call):
    with pytest.raises(ValueError, match="no rows|is empty"):
        call()


@pytest.mark.parametrize("init", [float("nan"), float("inf"), -0.1])
def test_a_bad_init_std_is_refused(init):
    with pytest.raises(ValueError, match="init"):
        MLP([2, 3, 2], init=init)


def test_accuracy_takes_labels_or_one_hot_rows():
    net = MLP([4, 5, 3], seed=1)
    X = np.random.default_rng(0).standard_normal((20, 4))
    y = net.predict(X)
    assert net.accuracy(X, y) == 1.0
    assert net.accuracy(X, np.eye(3)[y]) == 1.0
    assert net.accuracy(X, (y + 1) % 3) == 0.0


@pytest.mark.parametrize("eps", [0.0, -1e-6, float("nan")])
def test_a_finite_difference_step_must_be_positive(eps):
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(lambda v: float(v @ v), np.ones(2), eps=eps)
    with pytest.raises(ValueError, match="eps"):
        numerical_jacobian(lambda v: v, np.ones(2), eps=eps)


def test_a_float32_network_says_a_finite_input_overflows_float32():
    # 1e300 is finite: "NaN or infinite" would send the user looking for values that are not there
    net = MLP([2, 3, 2], dtype=np.float32)
    with pytest.raises(ValueError) as info:
        net.forward(np.array([[1e300, 0.0]]))
    msg = str(info.value)
    assert "beyond float32's range" in msg and "1e+300" in msg and "dtype=np.float64" in msg and "\n" not in msg
    with pytest.raises(ValueError, match="NaN or infinite"):  # a true infinity keeps its own message
        net.forward(np.array([[np.inf, 0.0]]))
    assert MLP([2, 3, 2], dtype=np.float64).forward(np.array([[1e300, 0.0]])).shape == (1, 2)


@pytest.mark.parametrize("l2", [None, "0.1", [0.1], True, float("nan"), -1.0])
def test_a_bad_l2_is_named(l2):
    net = MLP([2, 3, 2])
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"^l2 must be a finite number >= 0 \(the L2 factor c\), got "):
        net.loss_and_grads(X, y, l2=l2)
    from helpers.optim import GD
    from helpers.train import fit

    with pytest.raises(ValueError, match=r"^l2 must be a finite number >= 0"):
        fit(net, X, y, epochs=1, batch_size=2, rule=GD(0.1), l2=l2, progress=False)


def test_l2_of_numpy_scalars_is_accepted():
    net = MLP([2, 3, 2])
    X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    assert net.loss_and_grads(X, y, l2=np.float32(0.5))[0] > net.loss_and_grads(X, y, l2=0)[0]


@pytest.mark.parametrize("point", [[1.0, 1.0, 5.0], [1.0], 3.0, np.zeros((4, 3))])
def test_a_2d_objective_refuses_other_shapes_in_one_line(point):
    from helpers.objectives import PLATEAU, ROSENBROCK, SADDLE, VALLEY

    for objective in (ROSENBROCK, SADDLE, PLATEAU, VALLEY):
        # the saddle's Hessian is constant: it takes any x (notebook 01 passes None)
        for fn in (objective.f, objective.grad) + ((objective.hess,) if objective is not SADDLE else ()):
            with pytest.raises(ValueError) as info:
                fn(point)
            assert "is a function of 2 coordinates" in str(info.value) and "\n" not in str(info.value)
    assert ROSENBROCK.f([1.0, 1.0]) == 0.0


def test_minimize_from_a_3d_start_names_the_objective_and_the_shape():
    from helpers.objectives import ROSENBROCK
    from helpers.optim import GD, minimize

    with pytest.raises(ValueError, match=r"^Rosenbrock is a function of 2 coordinates: .*got shape \(3,\)$"):
        minimize(ROSENBROCK, [1.0, 1.0, 5.0], GD(1e-3), 10)
