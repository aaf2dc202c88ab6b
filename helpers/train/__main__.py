"""``python -m helpers.train``: train a one-hidden-layer ReLU classifier from the command line.

Digits (shipped), MNIST or Fashion-MNIST (after ``make data``); ``--help`` lists the flags. The data
come from :func:`helpers.data.load_dataset`, the rule from :func:`helpers.optim.make_rule`, the
training from :func:`helpers.train.fit`.
"""

import argparse
import difflib
import errno
import json
import os
import signal
import sys
import tempfile
import threading

import numpy as np

from ..optim import RULES, cosine, make_rule
from . import fit

_IMAGES = dict(hidden=256, epochs=20, batch_size=64, rule="momentum", lr=0.03, momentum=0.9, l2=1e-5, schedule="cosine")
#: per data set: hidden width, epochs, batch size, rule, learning rate, momentum beta, L2 factor c,
#: schedule (measured figures for these defaults are in the README)
DEFAULTS = {"digits": {**_IMAGES, "hidden": 64, "epochs": 30, "batch_size": 32, "lr": 0.1, "l2": 1e-3},
            "mnist": dict(_IMAGES), "fashion-mnist": dict(_IMAGES)}
SCHEDULES = {"constant": None, "cosine": cosine}
PLOT_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".pdf": "pdf", ".svg": "svg"}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not the usage block; the close match of a mistyped flag
        if message.startswith("unrecognized arguments:"):
            flags = [f for a in self._actions for f in a.option_strings]
            for word in message.split(":", 1)[1].split():
                if word.startswith("--") and (close := difflib.get_close_matches(word.split("=")[0], flags, 1)):
                    message += f" (did you mean {close[0]}?)"
                    break
        self.exit(2, f"error: {message} (see --help)\n")


def _choice(p, flag, choices, what, **kw):
    """A flag taking one of ``choices``, listed in --help; another value is one line naming the close match."""
    def check(value):
        if value in choices:
            return value
        close = difflib.get_close_matches(value, choices, 1, 0.5)
        raise argparse.ArgumentTypeError(f"{value!r} is not {what}; choose from {', '.join(choices)}"
                                         + (f" (did you mean {close[0]}?)" if close else ""))
    p.add_argument(flag, type=check, metavar="{" + ",".join(choices) + "}", **kw)


def parser():
    """The flags; one left out takes its data set's value in ``DEFAULTS``."""
    p = _Parser(prog="python -m helpers.train", description="Train a one-hidden-layer ReLU "
                "network with a softmax output by mini-batch SGD.")
    path = os.path.expanduser  # bash leaves the ~ of --data-dir=~/fm alone
    _choice(p, "--dataset", sorted(DEFAULTS), "a data set", default="digits")
    p.add_argument("--hidden", type=int, help="hidden units (default per data set)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    _choice(p, "--rule", sorted(RULES), "an update rule", help="update rule (default: momentum)")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--momentum", type=float, help="momentum beta (beta1 for adam); 0 with momentum is plain SGD")
    p.add_argument("--l2", type=float, help="L2 penalty c in c * sum |W|^2")
    _choice(p, "--schedule", sorted(SCHEDULES), "a schedule", help="learning rate per epoch: constant, or cosine "
            "decay to 0")
    p.add_argument("--seed", type=int, default=0)
    _choice(p, "--dtype", ["float32", "float64"], "a dtype", default="float32")
    p.add_argument("--data-dir", default="data", type=path,
                   help="folder holding mnist/ and fashion-mnist/ (or the four IDX files)")
    p.add_argument("--plot", metavar="FILE", type=path,
                   help="write the loss and accuracy per epoch to this image file (.png, .jpg, .pdf or .svg)")
    p.add_argument("--json", action="store_true", help="end with one JSON line of results")
    return p


def settings(args):
    """The run's settings: the data set's defaults, overridden by the flags given; checked."""
    cfg = {k: value if getattr(args, k) is None else getattr(args, k) for k, value in DEFAULTS[args.dataset].items()}
    for k in ("hidden", "epochs", "batch_size"):
        if cfg[k] < 1:
            raise ValueError(f"--{k.replace('_', '-')} must be >= 1, got {cfg[k]}")
    if not (np.isfinite(cfg["l2"]) and cfg["l2"] >= 0):
        raise ValueError(f"--l2 must be a finite number >= 0, got {cfg['l2']}")
    if args.seed < 0:
        raise ValueError(f"--seed must be >= 0, got {args.seed}")
    make_rule(cfg["rule"], cfg["lr"], cfg["momentum"])  # checks lr and beta
    return cfg


def check_plot_path(path):
    """The image format for ``path``, after checking that its folder takes a new file (before training)."""
    fmt = PLOT_FORMATS.get(os.path.splitext(path)[1].lower())
    if not path or fmt is None:
        raise ValueError(f"--plot needs a file name ending in {', '.join(PLOT_FORMATS)}, got {path!r}")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as e:
        raise ValueError(f"--plot {path}: cannot write in {folder} ({e.strerror}); choose a writable folder") from None
    if os.path.isdir(path):
        raise ValueError(f"--plot {path} is a folder; give a file name")
    return fmt


def log_epoch(line):
    """One line per epoch; the set fit calls "val" here is the test set, so it says test."""
    print(line.replace(" val ", " test "))


def blas_threads():
    """BLAS threads this process uses: OPENBLAS_NUM_THREADS or OMP_NUM_THREADS, else OpenBLAS's default, the CPUs."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return os.cpu_count()


def _error(message, status=2):
    print(f"error: {message}", file=sys.stderr)
    return status


class Stopped(BaseException):
    """Raised by the SIGTERM / SIGHUP handler, so that a file being written is removed as the run unwinds."""


STOP_SIGNALS = tuple(getattr(signal, s) for s in ("SIGTERM", "SIGHUP") if hasattr(signal, s))


def _stop(signum, frame):
    for s in STOP_SIGNALS:  # a second signal must not cut the clean-up short
        signal.signal(s, signal.SIG_IGN)
    raise Stopped(signum)


def main(argv=None):
    """Run the command line on ``argv``; returns the exit status (1: diverged, 2: a bad flag or file,
    130: Ctrl-C, 128 + N: signal N, SIGTERM or SIGHUP). An interruption is one line and leaves no file."""
    args = parser().parse_args(argv)
    stage = ["loading the data stopped, nothing was written"]  # what an interruption stops, said in one line
    main_thread = threading.current_thread() is threading.main_thread()
    previous = {s: h for s in STOP_SIGNALS if (h := signal.getsignal(s)) is not None} if main_thread else {}
    for s, handler in previous.items():
        if handler is not signal.SIG_IGN:  # nohup's SIGHUP stays ignored
            signal.signal(s, _stop)
    try:
        return _run(args, stage)
    except KeyboardInterrupt:
        print(f"interrupted: {stage[0]}", file=sys.stderr)
        return 130
    except Stopped as stop:
        print(f"stopped by {signal.Signals(stop.args[0]).name}: {stage[0]}", file=sys.stderr)
        return 128 + stop.args[0]
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _load(args):
    """(settings, plot format, the data) or the exit status of one error line."""
    from ..data import DatasetMissing, load_dataset

    try:
        cfg = settings(args)
        fmt = check_plot_path(args.plot) if args.plot is not None else None
        return cfg, fmt, load_dataset(args.dataset, args.data_dir, args.seed, np.dtype(args.dtype))
    except (ValueError, DatasetMissing) as e:
        return _error(e)
    except MemoryError:
        return _error(f"not enough memory to load the {args.dataset} data; free memory or use --dtype float32")
    except OSError as e:
        return _error(f"cannot read the {args.dataset} data in {args.data_dir}: {e.strerror or e}")


def _run(args, stage):
    from ..nn import MLP

    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    cfg, fmt, (X_tr, y_tr, X_te, y_te) = loaded
    tty = sys.stderr.isatty()
    stage[0] = "training stopped, nothing was written"
    try:
        model = MLP([X_tr.shape[1], cfg["hidden"], 10], seed=args.seed, dtype=np.dtype(args.dtype))
        hist = fit(model, X_tr, y_tr, epochs=cfg["epochs"], batch_size=cfg["batch_size"],
                   rule=make_rule(cfg["rule"], cfg["lr"], cfg["momentum"]), l2=cfg["l2"], validation=(X_te, y_te),
                   seed=args.seed, progress=tty, log=None if tty else log_epoch, schedule=SCHEDULES[cfg["schedule"]])
    except MemoryError:
        return _error(f"not enough memory for --hidden {cfg['hidden']} with batch {cfg['batch_size']}; "
                      "choose a smaller --hidden or --batch-size")
    if hist.diverged:
        return _error(f"training {hist.stopped}", status=1)
    train_acc, test_acc = model.accuracy(X_tr, y_tr), model.accuracy(X_te, y_te)
    print(f"train accuracy {train_acc:.4f}")
    print(f"test accuracy {test_acc:.4f}")
    status = 0 if fmt is None else _plot(args.plot, fmt, hist, stage)
    if args.json:
        from ..data import identify_mnist

        stage[0] = "the JSON line was not printed"
        # which published data set the files are (None: not all its published files), digits: shipped
        identified = args.dataset if args.dataset == "digits" else identify_mnist(args.dataset, args.data_dir)
        print(json.dumps(dict(dataset=args.dataset, data_identified=identified,
                              **{**cfg, "batch_size": hist.batch_size}, seed=args.seed, dtype=args.dtype,
                              blas_threads=blas_threads(), train_accuracy=train_acc, test_accuracy=test_acc,
                              seconds=round(hist.seconds, 3),
                              samples_per_second=round(hist.samples_per_second, 1))))
    return status


def _plot(path, fmt, hist, stage):
    """Write the training curves to ``path``; the exit status (2: it could not be written)."""
    import matplotlib

    from ..data import atomic_write

    stage[0] = f"the plot was not written ({path} is as it was)"
    matplotlib.use("Agg")
    from ..plots import training_curves

    fig = training_curves(hist)[0].figure
    try:
        atomic_write(path, lambda f: fig.savefig(f, format=fmt, dpi=100))
    except OSError as e:
        return _error(f"cannot write the plot to {path}: {e.strerror or e}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except OSError as e:  # the output was piped into a reader that stopped (head): end quietly
        if not isinstance(e, BrokenPipeError) and e.errno != errno.EINVAL:  # Windows says EINVAL (22)
            raise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
