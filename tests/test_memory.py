"""Memory of the data path (issue 25): the 28x28 sets are standardized without float64 copies of the
whole set, with the same values as before, and the whole-set checks allocate no (N, D) mask.

Peaks are measured with tracemalloc, which counts numpy's buffers (bytes, not time: no flakiness).
"""

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from helpers import activations, data
from helpers._checks import as_float_array
from helpers.data import load_dataset, standardize, write_idx

N_TRAIN, N_TEST = 6000, 1000  # 28x28: 18 MB of float32 pixels for training, 36 MB as float64


def traced_peak(fn):
    """(result of fn(), the peak of traced allocations during the call, in bytes)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        out = fn()
        return out, tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """A fake Fashion-MNIST folder of N_TRAIN + N_TEST random 28x28 images, and its arrays."""
    folder = tmp_path_factory.mktemp("fashion") / "fashion-mnist"
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte": rng.integers(0, 10, N_TRAIN, dtype=np.uint8),
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte": rng.integers(0, 10, N_TEST, dtype=np.uint8)}
    for stem, a in arrays.items():
        write_idx(folder / f"{stem}.gz", a)
    return folder.parent, arrays


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_load_dataset_28x28_values_are_the_whole_array_formula(images, dtype):
    # the formula load_dataset used before it worked in place: float64 arithmetic on the [0, 1] float32
    # pixels with float64 statistics of all training pixels, rounded once to dtype
    root, arrays = images
    tr, te = ((arrays[f"{stem}-images-idx3-ubyte"].reshape(n, -1).astype(np.float32) / np.float32(255))
              .astype(np.float64) for stem, n in (("train", N_TRAIN), ("t10k", N_TEST)))
    mean, std = tr.mean(), tr.std()
    X_tr, y_tr, X_te, y_te = load_dataset("fashion-mnist", root, dtype=dtype)
    assert X_tr.dtype == X_te.dtype == dtype
    np.testing.assert_array_equal(X_tr, ((tr - mean) / std).astype(dtype))
    np.testing.assert_array_equal(X_te, ((te - mean) / std).astype(dtype))
    np.testing.assert_array_equal(y_tr, arrays["train-labels-idx1-ubyte"])


def test_load_dataset_28x28_peak_is_below_two_float32_copies(images):
    # the pixels once as float32 (18.8 MB here) plus the raw bytes; the old path held the float64
    # standardized set and a float64 temporary of np.std at once (more than 4 float32 copies)
    root, _ = images
    _, peak = traced_peak(lambda: load_dataset("fashion-mnist", root))
    one_copy = (N_TRAIN + N_TEST) * 784 * 4
    assert peak < 2 * one_copy, f"peak {peak / 2**20:.1f} MB for {one_copy / 2**20:.1f} MB of float32 pixels"


def test_standardize_in_place_allocates_less_than_a_float32_copy():
    X = np.random.default_rng(1).random((4000, 1000), dtype=np.float32)  # 16 MB
    (Xs, mean, std), peak = traced_peak(lambda: standardize(X, axis=None, out=X))
    assert Xs is X and mean.shape == std.shape == ()
    assert peak < X.nbytes, f"peak {peak / 2**20:.1f} MB to standardize {X.nbytes / 2**20:.1f} MB in place"


@pytest.mark.parametrize("axis", [0, None])
def test_standardize_float32_uses_float64_statistics_and_rounds_once(axis):
    rng = np.random.default_rng(2)
    X = (rng.random((300, 7)) * 50 + 3).astype(np.float32)
    X64 = X.astype(np.float64)
    mean, std = X64.mean(axis=axis), X64.std(axis=axis)
    Xs, m, s = standardize(X, axis=axis)
    assert Xs.dtype == np.float32 and m.dtype == s.dtype == np.float64
    np.testing.assert_allclose(m, mean, rtol=1e-13)
    np.testing.assert_allclose(s, std, rtol=1e-13)
    np.testing.assert_array_equal(Xs, ((X64 - m) / s).astype(np.float32))
    # the statistics of one set applied to another, scalars included
    np.testing.assert_array_equal(standardize(X[:5] * 2, m, s)[0], ((X64[:5] * 2 - m) / s).astype(np.float32))


def test_standardize_blocks_give_numpys_statistics_on_one_block():
    # small sets fit in one block: the same operations as X.mean / X.std (the digits' values must not move)
    X = np.random.default_rng(3).random((1150, 64)) * 16
    _, mean, std = standardize(X)
    assert np.array_equal(mean, X.mean(axis=0)) and np.array_equal(std, X.std(axis=0))


def test_standardize_integers_need_no_float_copy_first():
    X = np.random.default_rng(4).integers(0, 256, (50, 6), dtype=np.uint8)
    Xs, mean, std = standardize(X, axis=None)
    assert Xs.dtype == np.float64
    np.testing.assert_array_equal(Xs, (X.astype(np.float64) - X.mean()) / X.std())


def test_standardize_rejects_a_bad_axis_and_out():
    with pytest.raises(ValueError, match="axis must be 0"):
        standardize(np.ones((3, 2)), axis=1)
    with pytest.raises(ValueError, match="out must have the shape"):
        standardize(np.ones((3, 2)), out=np.empty((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        standardize(np.array([[1.0, 2.0], [np.inf, 0.0]]), axis=None)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_as_float_array_finds_one_bad_value_without_a_mask(bad):
    X = np.zeros((3000, 1000), dtype=np.float32)  # 12 MB; np.isfinite(X) would be a 3 MB mask
    _, peak = traced_peak(lambda: as_float_array(X, "X"))
    assert peak < 2**20
    X[1234, 567] = bad
    with pytest.raises(ValueError, match="1 NaN or infinite"):
        as_float_array(X, "X")


def test_load_dataset_digits_unchanged():
    # the shipped digits go through the per-pixel path: the same numbers as standardizing by hand
    X, y = data.load_digits()
    X_tr, X_te, _, _ = data.train_test_split(X / 16.0, y, test_size=0.2, seed=0)
    mean, std = X_tr.mean(axis=0), X_tr.std(axis=0)
    std[std == 0] = 1.0
    got = load_dataset("digits", seed=0)
    np.testing.assert_array_equal(got[0], ((X_tr - mean) / std).astype(np.float32))
    np.testing.assert_array_equal(got[2], ((X_te - mean) / std).astype(np.float32))


def test_notebook_05_standardizes_the_28x28_sets_as_load_dataset(images):
    # notebook 05 standardizes the [0, 1] pixels itself, in place, to keep one copy of the training and test sets;
    # section 6 draws the test images back from them
    root, _ = images
    img_tr, _, img_te, _ = load_dataset("fashion-mnist", root, standardize=False)
    pixels = img_te.copy()
    X_tr, mean, std = standardize(img_tr, axis=None, out=img_tr)
    X_te = standardize(img_te, mean, std, out=img_te)[0]
    want = load_dataset("fashion-mnist", root)
    assert np.array_equal(X_tr, want[0]) and np.array_equal(X_te, want[2])
    assert X_te is img_te and np.allclose(X_te * std + mean, pixels, atol=1e-6)


def _notebook_05_train_sgd():
    """The solution's train_sgd of notebook 05 with its forward, backward and momentum_step (and unpack)."""
    import nbformat

    from coursework import unpack

    nb = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / "05_mnist_classifier.ipynb", as_version=4)
    namespace = {"np": np, "unpack": unpack, **{k: getattr(activations, k) for k in ("softmax", "log_softmax")}}
    for cell in nb.cells:
        if cell.get("id") in ("ex-forward", "ex-backward", "ex-momentum", "ex-train", "ex-cosine"):
            exec(cell.source, namespace)
    return namespace["train_sgd"], namespace["cosine_lrs"]


def test_notebook_05_loop_stays_in_the_dtype_of_its_start():
    # on the 28x28 sets the start is float32 (MLP(..., dtype=float32)) and so are the images; the loop must not turn
    # the weights into float64 (np.array(p, dtype=float), or a float64 rate from cosine_lrs times a float32 array):
    # float64 doubled the loop's time and the memory of every evaluation of notebook 05 on Fashion-MNIST
    from helpers.nn import MLP

    train_sgd, cosine_lrs = _notebook_05_train_sgd()
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((50, 12)).astype(np.float32), rng.integers(0, 10, 50)
    for dtype in (np.float32, np.float64):
        start = list(MLP([12, 8, 10], seed=0, dtype=dtype).params.values())
        *P, losses, accuracies = train_sgd(X, y, *start, 1e-3, cosine_lrs(0.05, 3), 0.9, 16, 0)
        assert [p.dtype for p in P] == [dtype] * 4 and losses[-1] < losses[0]
        assert all(a.dtype == dtype for a in start)  # the caller's arrays as they were


def test_predict_holds_one_hidden_activation_at_a_time():
    # relu in place on the pass's own pre-activation: predict on S rows holds one (S, H) array, not two
    from helpers.nn import MLP

    model = MLP([20, 256, 10], seed=0, dtype=np.float32)
    X = np.random.default_rng(5).standard_normal((20000, 20)).astype(np.float32)
    want = np.argmax(np.maximum(X @ model.params["W1"] + model.params["b1"], 0) @ model.params["W2"]
                     + model.params["b2"], axis=1)
    pred, peak = traced_peak(lambda: model.predict(X))
    hidden = X.shape[0] * 256 * 4  # one (S, H) float32 array: 20 MB
    assert np.array_equal(pred, want)
    assert peak < 1.5 * hidden, f"peak {peak / 2**20:.1f} MB, one hidden activation is {hidden / 2**20:.1f} MB"


def test_notebook_png_formatter_keys_pixels_compactly():
    # a figure of ~900,000 pixels (drawn at 1.5x): matplotlib's savefig peaks at about 36 bytes a pixel of
    # numpy arrays, and the palette step now stays below that (uint32 keys, their sorted copy, an int64 index);
    # with int64 keys and np.unique's index and inverse the formatter peaked at about 53
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers import plots

    fig, ax = plt.subplots(figsize=(10, 7), dpi=90)
    ax.imshow(np.random.default_rng(6).random((60, 60)), cmap="viridis", aspect="auto")  # many colours: quantize
    ax.plot(np.arange(60), np.arange(60) % 7, color="tab:red")
    (png, size), peak = traced_peak(lambda: plots._png_for_notebook(fig))
    plt.close(fig)
    pixels = (1.5 * size["width"]) * (1.5 * size["height"])
    assert png.startswith(b"\x89PNG") and pixels > 8e5
    assert peak < 50 * pixels, f"{peak / pixels:.0f} bytes a pixel"
