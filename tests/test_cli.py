"""The command line, probed as a careful user would: every mistake is one line and exit 2
before any training, divergence exits 1 naming the cause, Ctrl-C exits 130, and the JSON
line reports what was really used."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_data import write_tiny

from helpers import _download, _idx, data
from helpers.train.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--dataset", "digits", "--epochs", "1"]
DEBIAN_FASHION = Path(_download.DEBIAN_FASHION_MNIST)
MISSING_FOLDER = os.path.abspath("/nonexistent-folder")  # C:\nonexistent-folder on Windows


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("argv,message", [
    (["--lr", "-1"], "lr must be a positive finite number"),
    (["--l2", "nan"], "--l2 must be a finite number >= 0"),
    (["--l2", "inf"], "--l2 must be a finite number >= 0"),
    (["--seed", "-1"], "--seed must be >= 0"),
    (["--hidden", "0"], "--hidden must be >= 1"),
    (["--plot", ""], "--plot needs a file name ending in"),
    (["--plot", "curves.gif"], "--plot needs a file name ending in"),
    (["--plot", "/nonexistent-folder/curves.png"], f"cannot write in {MISSING_FOLDER}"),
])
def test_a_bad_flag_is_one_line_before_any_training(capsys, argv, message):
    code, out, err = run(capsys, *FAST, *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("suffix,magic", [(".jpg", b"\xff\xd8\xff"), (".png", b"\x89PNG"), (".pdf", b"%PDF"),
                                          (".svg", b"<?xml")])
def test_the_plot_has_the_format_its_extension_names(capsys, tmp_path, suffix, magic):
    path = tmp_path / f"curves{suffix}"
    code, out, _ = run(capsys, *FAST, "--plot", str(path))
    assert code == 0 and path.read_bytes().startswith(magic) and f"wrote {path}" in out
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left


def test_the_json_line_comes_even_when_the_plot_fails(capsys, tmp_path, monkeypatch):
    def disk_full(path, write):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(data, "atomic_write", disk_full)
    code, out, err = run(capsys, *FAST, "--json", "--plot", str(tmp_path / "c.png"))
    assert code == 2 and "No space left on device" in err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["test_accuracy"] > 0.5


def test_json_reports_the_batch_size_used_and_the_blas_threads(capsys, monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    code, out, _ = run(capsys, *FAST, "--batch-size", "5000", "--json")
    summary = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and summary["batch_size"] == 1438 and summary["blas_threads"] == 1


@pytest.mark.parametrize("argv,cause", [
    (["--lr", "30", "--momentum", "0.9"], "lower the learning rate (now 30)"),
    (["--lr", "0.1", "--l2", "50"], "lower the L2 factor (c = 50"),
    # the default L2 factor 1e-3 gives lr * c = 1, yet --l2 0 diverges just the same: the lr is the cause
    (["--lr", "1000"], "lower the learning rate (now 1000: the run diverges without the L2 penalty too)"),
    (["--lr", "1000", "--l2", "0"], "lower the learning rate (now 1000)"),
])
def test_divergence_exits_1_naming_the_likely_cause(capsys, argv, cause):
    code, out, err = run(capsys, "--dataset", "digits", "--epochs", "3", *argv)
    assert code == 1 and "test accuracy" not in out
    assert err.startswith("error: training diverged in epoch") and cause in err and err.count("\n") == 1


def test_a_hidden_layer_too_large_for_memory_is_one_line(capsys):
    code, out, err = run(capsys, *FAST, "--hidden", str(10**11))
    assert code == 2 and "not enough memory for --hidden" in err and err.count("\n") == 1


def test_unreadable_data_files_are_one_line(capsys, tmp_path):
    for name in data.MNIST_FILES:
        (tmp_path / name).write_bytes(b"this is not an IDX file")
    code, out, err = run(capsys, "--dataset", "mnist", "--data-dir", str(tmp_path))
    assert code == 2 and out == "" and err.startswith("error: ") and err.count("\n") == 1
    assert "train-images-idx3-ubyte.gz" in err


def _sigint_as_on_a_terminal():
    """In the child before exec: a job started in the background begins with SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT cannot be sent to another process on Windows")
def test_ctrl_c_during_training_is_one_line_and_exit_130():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen([sys.executable, "-m", "helpers.train", "--dataset", "digits", "--epochs", "100000"],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                          preexec_fn=_sigint_as_on_a_terminal if os.name == "posix" else None) as proc:
        try:
            assert proc.stdout.readline().startswith("epoch")  # training is under way
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
    assert proc.returncode == 130
    assert err == "interrupted: training stopped, nothing was written\n"


def test_output_piped_into_a_reader_that_stops_ends_quietly():
    with subprocess.Popen([sys.executable, "-m", "helpers.train", "--dataset", "digits", "--epochs", "3000"],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout.readline().startswith("epoch")
            proc.stdout.close()  # as `| head -1` does
            err = proc.stderr.read()
            proc.wait(timeout=120)
        finally:
            proc.kill()
    assert err == "" and proc.returncode == 141


# ------------------------------------------------------------------ typos: one line, the close match


@pytest.mark.parametrize("argv,words", [
    (["--dataset", "fashion_mnist"], "'fashion_mnist' is not a data set; choose from digits, fashion-mnist, mnist "
                                     "(did you mean fashion-mnist?)"),
    (["--rule", "sgd"], "'sgd' is not an update rule; choose from adam, gd, momentum, nesterov (did you mean gd?)"),
    (["--schedule", "cosin"], "(did you mean cosine?)"),
    (["--dtype", "float16"], "'float16' is not a dtype; choose from float32, float64"),
    (["--epochs", "ten"], "argument --epochs: invalid int value: 'ten'"),
    (["--lrate", "0.1"], "unrecognized arguments: --lrate 0.1 (did you mean --lr?)"),
    (["--dataset", "cifar10"], "'cifar10' is not a data set; choose from digits, fashion-mnist, mnist"),
])
def test_a_typo_in_a_flag_is_one_line_with_the_close_match(capsys, argv, words):
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    assert words in err and "usage:" not in err


def test_help_still_lists_the_choices(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--dataset {digits,fashion-mnist,mnist}" in out and "{adam,gd,momentum,nesterov}" in out


# ------------------------------------------------------------------ ~ in paths


def test_tilde_in_data_dir_and_plot_is_the_home_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    write_tiny(tmp_path / "fm" / "mnist")
    code, out, err = run(capsys, "--dataset", "mnist", "--data-dir=~/fm", "--epochs", "1", "--hidden", "4",
                         "--plot=~/c.png")
    assert code == 0 and err == "" and "test accuracy" in out, err
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")


# ------------------------------------------------------------------ which data set the files are


def test_json_says_whether_the_files_are_the_published_data_set(capsys, tmp_path):
    write_tiny(tmp_path / "mnist")  # MNIST's format, not MNIST's files
    code, out, _ = run(capsys, "--dataset", "mnist", "--data-dir", str(tmp_path), "--epochs", "1", "--hidden", "4",
                       "--json")
    summary = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and summary["dataset"] == "mnist" and summary["data_identified"] is None
    code, out, _ = run(capsys, *FAST, "--json")
    assert json.loads(out.strip().splitlines()[-1])["data_identified"] == "digits"


def test_files_of_the_other_data_set_are_refused_in_one_line_naming_both(capsys, tmp_path, monkeypatch):
    # the tiny files stand in for Fashion-MNIST's: their fingerprints join the table
    arrays = write_tiny(tmp_path / "mnist")
    for stem in arrays:
        path = tmp_path / "mnist" / f"{stem}.gz"
        monkeypatch.setitem(_idx._FINGERPRINTS, _idx.fingerprint(path), ("fashion-mnist", path.name))
    code, out, err = run(capsys, "--dataset", "mnist", "--data-dir", str(tmp_path), "--json")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "holds Fashion-MNIST, not MNIST" in err and "--dataset fashion-mnist" in err


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_debian_fashion_mnist_is_refused_as_mnist():
    proc = subprocess.run([sys.executable, "-m", "helpers.train", "--dataset", "mnist", "--data-dir",
                           str(DEBIAN_FASHION), "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(f"error: {DEBIAN_FASHION} holds Fashion-MNIST, not MNIST:"), proc.stderr


# ------------------------------------------------------------------ signals: one line, nothing left behind

_CHILD = """
import importlib, os, runpy, signal, sys, time
sig, where = getattr(signal, sys.argv[1]), sys.argv[2]
# as on a terminal: a background job starts with SIGINT ignored, nohup ignores SIGHUP (the CLI keeps that)
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
module, path = where.split(":")
owner = importlib.import_module(module)
*parents, name = path.split(".")
for parent in parents:
    owner = getattr(owner, parent)

def interrupted(*args, **kwargs):  # the signal lands while this runs
    os.kill(os.getpid(), sig)
    time.sleep(60)
    raise SystemExit("the signal did not stop the run")

setattr(owner, name, interrupted)
sys.argv = ["python -m helpers.train", *sys.argv[3:]]
runpy.run_module("helpers.train", run_name="__main__")
"""


def _interrupt(sig, where, *argv):
    """Run the CLI on argv in a child that gets ``sig`` inside the function ``where`` (module:name)."""
    proc = subprocess.run([sys.executable, "-c", _CHILD, sig, where, *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


SIGNALS = [("SIGINT", 130, "interrupted: "), ("SIGTERM", 143, "stopped by SIGTERM: "),
           ("SIGHUP", 129, "stopped by SIGHUP: ")]


@pytest.fixture
def handled_as_on_a_terminal():
    """SIGINT raises KeyboardInterrupt, SIGTERM and SIGHUP are not ignored: what the CLI finds on a terminal.
    A SIGTERM or SIGHUP the CLI does not catch reaches a handler that fails the test (not pytest's death)."""
    def not_caught(signum, frame):
        raise AssertionError(f"{signal.Signals(signum).name} was not caught by the command line")

    wanted = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: not_caught, signal.SIGHUP: not_caught}
    old = {s: signal.signal(s, handler) for s, handler in wanted.items()}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig,status,first", SIGNALS)
def test_a_signal_while_the_plot_is_written_is_one_line_and_leaves_no_file(tmp_path, capsys, monkeypatch,
                                                                          handled_as_on_a_terminal, sig, status, first):
    # in this process (the CLI as a process gets its signals in the tests below): the signal lands
    # while savefig has written half a picture into the file
    from matplotlib.figure import Figure

    def interrupted(fig, file, *args, **kwargs):
        file.write(b"half a picture")
        os.kill(os.getpid(), getattr(signal, sig))
        raise AssertionError("the signal did not stop the run")

    monkeypatch.setattr(Figure, "savefig", interrupted)
    plot = tmp_path / "c.png"
    code, out, err = run(capsys, *FAST, "--plot", str(plot))
    assert code == status and err == f"{first}the plot was not written ({plot} is as it was)\n", err
    assert "test accuracy" in out and list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig,status,first", SIGNALS[:2])
def test_a_signal_while_the_data_load_is_one_line(tmp_path, sig, status, first):
    write_tiny(tmp_path / "mnist")
    code, out, err = _interrupt(sig, "helpers.data:_images_labels", "--dataset", "mnist", "--data-dir",
                                str(tmp_path))
    assert code == status and out == "" and err == f"{first}loading the data stopped, nothing was written\n", err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_during_training_is_one_line_and_exit_143():
    code, out, err = _interrupt("SIGTERM", "helpers.train:descend", "--dataset", "digits")
    assert code == 143 and err == "stopped by SIGTERM: training stopped, nothing was written\n", err
def test_a_reader_that_stops_on_windows_ends_quietly_too():
    # Windows reports a write to a pipe whose reader has gone as OSError errno 22 (EINVAL), not BrokenPipeError
    code = ("import errno, runpy, sys\n"
            "class Gone:\n"
            "    def write(self, text): raise OSError(errno.EINVAL, 'Invalid argument')\n"
            "    def flush(self): pass\n"
            "    def fileno(self): return sys.__stdout__.fileno()\n"
            "sys.stdout = Gone()\n"
            "sys.argv = ['helpers.train', '--dataset', 'digits', '--epochs', '1']\n"
            "runpy.run_module('helpers.train', run_name='__main__', alter_sys=True)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.stderr == "" and proc.returncode == 141
