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

from helpers import data
from helpers.train.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--dataset", "digits", "--epochs", "1"]
MISSING_FOLDER = os.path.abspath("/nonexistent-folder")  # C:\nonexistent-folder on Windows


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("argv,message", [
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


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT cannot be sent to another process on Windows")
def test_ctrl_c_during_training_is_one_line_and_exit_130():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "helpers.train", "--dataset", "digits", "--epochs", "100000"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
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
