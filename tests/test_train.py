"""The training loop and the command line."""

import json
import subprocess
import sys

import numpy as np
import pytest

from helpers.data import load_digits
from helpers.nn import MLP
from helpers.optim import GD, RULES, Adam, Momentum, make_rule
from helpers.train import fit
from helpers.train.__main__ import main

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def _digits(n=400):
    X, y = load_digits()
    return X[:n] / 16.0, y[:n]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_two_runs_with_the_same_seed_are_bit_identical(dtype):
    X, y = _digits()
    params = []
    for _ in range(2):
        model = MLP([64, 16, 10], seed=3, dtype=dtype)
        fit(model, X, y, epochs=3, batch_size=32, rule=Momentum(0.05, 0.9), l2=1e-4, seed=7, progress=False)
        params.append(model.get_flat())
    np.testing.assert_array_equal(params[0], params[1])
    model = MLP([64, 16, 10], seed=3, dtype=dtype)
    fit(model, X, y, epochs=3, batch_size=32, rule=Momentum(0.05, 0.9), l2=1e-4, seed=8, progress=False)
    assert not np.array_equal(model.get_flat(), params[0])


def test_fit_learns_and_records_history():
    X, y = _digits()
    model = MLP([64, 32, 10], seed=0)
    hist = fit(model, X, y, epochs=10, batch_size=32, rule=Momentum(0.05, 0.9), validation=(X[:100], y[:100]),
               progress=False)
    assert len(hist.loss) == len(hist.train_acc) == len(hist.val_acc) == 10
    assert hist.loss[-1] < hist.loss[0] / 3
    assert hist.train_acc[-1] > 0.95
    assert hist.samples == 10 * 400 and hist.samples_per_second > 0
    assert hist.diverged is None


def test_full_batch_gd_equals_manual_steps():
    X, y = _digits(64)
    a, b = MLP([64, 8, 10], seed=1), MLP([64, 8, 10], seed=1)
    fit(a, X, y, epochs=3, batch_size=64, rule=GD(0.1), progress=False)
    rule = GD(0.1)
    for _ in range(3):
        # full batch: the shuffled order does not change the mean gradient up to rounding
        _, g = b.loss_and_grads(X, y)
        rule.step(b.params, g)
    np.testing.assert_allclose(a.get_flat(), b.get_flat(), rtol=1e-10, atol=1e-12)


def test_divergence_stops_cleanly():
    X, y = _digits(128)
    # a linear hidden layer lets a far too large step grow the weights multiplicatively
    model = MLP([64, 16, 10], hidden="identity", seed=0, dtype=np.float32)
    hist = fit(model, X, y, epochs=5, batch_size=32, rule=GD(1e3), progress=False)
    assert hist.diverged is not None and len(hist.train_acc) == hist.diverged - 1
    assert len(hist.loss) == hist.diverged and not np.isfinite(hist.loss[-1])
    assert hist.stopped.startswith("diverged") and "lower the learning rate (now 1000)" in hist.stopped


def test_fit_validates_input():
    model = MLP([64, 8, 10])
    X, y = _digits(50)
    with pytest.raises(ValueError, match="out of range"):
        fit(model, X, y + 10, epochs=1, batch_size=8, rule=GD(0.1), progress=False)
    with pytest.raises(ValueError, match="NaN"):
        fit(model, np.full_like(X, np.nan), y, epochs=1, batch_size=8, rule=GD(0.1), progress=False)
    with pytest.raises(ValueError, match="epochs and batch_size"):
        fit(model, X, y, epochs=0, batch_size=8, rule=GD(0.1), progress=False)
    with pytest.raises(ValueError, match="0/1 labels"):
        fit(MLP([64, 1], output="sigmoid"), X, y, epochs=1, batch_size=8, rule=Adam(), progress=False)


def test_cli_digits_json(capsys, tmp_path):
    plot = tmp_path / "epochs.png"
    assert main(["--dataset", "digits", "--epochs", "2", "--json", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(out[-1])
    assert 0 <= summary["train_accuracy"] <= 1 and 0 <= summary["test_accuracy"] <= 1
    assert summary["test_accuracy"] > 0.8
    assert summary["seconds"] > 0 and summary["samples_per_second"] > 0
    assert any(line.startswith("test accuracy ") for line in out)
    assert sum(line.startswith("epoch ") for line in out) == 2
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_missing_dataset_exits_2_with_the_fix(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "helpers.train", "--dataset", "fashion-mnist",
                           "--data-dir", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "make data" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_cli_digits_meets_the_accuracy_target(capsys):
    assert main(["--dataset", "digits", "--hidden", "64", "--epochs", "30", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["test_accuracy"] >= 0.96


def test_schedule_scales_each_epoch_and_leaves_the_rule_alone():
    X, y = _digits(64)
    model = MLP([64, 8, 10], seed=1)
    before = model.get_flat()
    rule = GD(0.1)
    seen = []

    def zero_after_first(epoch, epochs):
        seen.append((epoch, epochs))
        return 1.0 if epoch == 0 else 0.0

    fit(model, X, y, epochs=3, batch_size=64, rule=rule, schedule=zero_after_first, progress=False)
    assert seen == [(0, 3), (1, 3), (2, 3)] and rule.lr == 0.1
    once = MLP([64, 8, 10], seed=1)
    fit(once, X, y, epochs=1, batch_size=64, rule=GD(0.1), progress=False)
    np.testing.assert_array_equal(model.get_flat(), once.get_flat())
    assert not np.array_equal(before, model.get_flat())


@pytest.mark.parametrize("output,labels", [("sigmoid", "parity"), ("identity", "targets")])
def test_fit_trains_every_output_the_mlp_supports(output, labels):
    X, y = _digits(200)
    y = (y % 2) if labels == "parity" else np.column_stack([X[:, :8].mean(axis=1), X[:, 8:16].mean(axis=1)])
    model = MLP([64, 16, 1 if output == "sigmoid" else 2], output=output, seed=0)
    hist = fit(model, X, y, epochs=20, batch_size=32, rule=Momentum(0.05, 0.9), validation=(X[:50], y[:50]),
               progress=False)
    assert hist.loss[-1] < hist.loss[0] / 2 and hist.diverged is None and len(hist.val_loss) == 20
    if output == "sigmoid":
        assert len(hist.train_acc) == 20 and hist.train_acc[-1] > 0.9
    else:
        assert hist.train_acc == [] and hist.val_acc == []


def test_l2_named_as_the_cause_when_it_alone_makes_steps_overshoot():
    X, y = _digits(128)
    hist = fit(MLP([64, 8, 10], seed=0), X, y, epochs=5, batch_size=32, rule=GD(0.5), l2=10.0, progress=False)
    assert hist.diverged and "lower the L2 factor (c = 10" in hist.stopped


def test_fit_continues_with_the_rule_state_and_reports_the_batch_size_used():
    X, y = _digits(64)
    a, b = MLP([64, 8, 10], seed=1), MLP([64, 8, 10], seed=1)
    rule_a, rule_b = Momentum(0.1, 0.9), Momentum(0.1, 0.9)
    fit(a, X, y, epochs=2, batch_size=16, rule=rule_a, progress=False)
    fit(b, X, y, epochs=1, batch_size=16, rule=rule_b, progress=False)
    hist = fit(b, X, y, epochs=1, batch_size=16, rule=rule_b, progress=False, seed=0)
    assert hist.batch_size == 16 and fit(MLP([64, 8, 10]), X, y, epochs=1, batch_size=1000, rule=GD(0.1),
                                         progress=False).batch_size == 64
    assert not np.array_equal(a.get_flat(), b.get_flat())  # same rule state, but a different shuffle in epoch 2
    assert rule_b.t == rule_a.t == 8


@pytest.mark.parametrize("name", RULES)
def test_every_rule_of_the_menu_trains_a_network(name):
    X, y = _digits(128)
    model = MLP([64, 16, 10], seed=0)
    before = model.problem(X, y).evaluate()[0]
    hist = fit(model, X, y, epochs=1, batch_size=16, rule=make_rule(name, lr=0.01), progress=False)
    assert model.problem(X, y).evaluate()[0] < before and hist.stopped is None


def test_the_callback_stops_training_as_descends_callbacks_do():
    X, y = _digits(64)
    seen = []
    hist = fit(MLP([64, 8, 10]), X, y, epochs=5, batch_size=16, rule=GD(0.1), progress=False,
               callback=lambda epoch, h: seen.append(len(h.loss)) or epoch == 2)
    assert seen == [1, 2] and len(hist.loss) == 2 and hist.stopped == "stopped by the callback" and not hist.diverged
