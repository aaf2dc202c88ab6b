"""What JupyterLab's widget views send to the kernel, computed as the browser computes it.

A slider's view (ipywidgets' FloatLogSliderView, FloatSliderView, IntSliderView) is a noUiSlider
over one range [min, max] with one step: a handle at ``pct`` percent of the track is stepped in
percent (``Math.round(pct / step%) * step%``) and turned back into a position; a log slider
sends ``base ** position`` (``Math.pow``), a linear one the position, an integer one
``Math.round(position)``. A continuous slider also sends its stepped value once when it is
first drawn (noUiSlider's "update" event fires on binding). Every message goes through
``Widget._handle_msg``, the handler of the browser's comm messages.

Used by tests/test_widgets.py, and sent whole into each kernel by tests/test_sessions.py
(the session functions at the end look for explorers in the kernel's user namespace).
"""

import json
import math


def js_round(x):
    """JavaScript's Math.round: halves go up."""
    return math.floor(x + 0.5)


def to_stepping(lo, hi, v):
    """noUiSlider's Spectrum.toStepping for one range: value -> percent."""
    if v >= hi:
        return 100.0
    return 0 + (100 * (v + abs(lo) if lo < 0 else v - lo) / (hi - lo)) / (100 / (100 - 0))


def get_step(lo, hi, step, pct):
    """noUiSlider's Spectrum.getStep: percent -> the nearest step, in percent."""
    if pct == 100:
        return pct
    n = (100 * step / (hi - lo)) / (100 / (100 - 0))
    return 0 + js_round((pct - 0) / n) * n


def from_stepping(lo, hi, pct):
    """noUiSlider's Spectrum.fromStepping: percent -> value."""
    if pct >= 100:
        return hi
    return (pct - 0) * (100 / (100 - 0)) * (hi - lo) / 100 + lo


def slider_kind(w):
    import ipywidgets as W

    if isinstance(w, W.FloatLogSlider):
        return "log"
    if isinstance(w, W.FloatSlider):
        return "float"
    if isinstance(w, W.IntSlider):
        return "int"
    return None


def browser_value(w, pct):
    """The value a slider's view sends when its handle is dropped at ``pct`` percent of the track."""
    kind = slider_kind(w)
    pos = from_stepping(w.min, w.max, get_step(w.min, w.max, w.step, min(max(pct, 0.0), 100.0)))
    return w.base**pos if kind == "log" else (js_round(pos) if kind == "int" else pos)


def display_echo(w):
    """What a slider's view sends back when it is first drawn; None when it sends nothing."""
    kind = slider_kind(w)
    if kind == "log" and w.continuous_update:
        at = min(max(math.log(w.value) / math.log(w.base), w.min), w.max)  # logCalc
        return w.base ** from_stepping(w.min, w.max, get_step(w.min, w.max, w.step, to_stepping(w.min, w.max, at)))
    if kind == "float" and w.continuous_update:
        v = from_stepping(w.min, w.max, get_step(w.min, w.max, w.step, to_stepping(w.min, w.max, w.value)))
        return v if v != w.value else None  # the view sends only a value that differs
    return None


def send(w, state):
    """A state update from the browser (a slider dropped, a checkbox ticked, an option chosen)."""
    w._handle_msg({"content": {"data": {"method": "update", "state": state, "buffer_paths": []}}, "buffers": []})


def click(button):
    """A press of a button in the browser."""
    button._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []})


# ----------------------------------------------------------------- a session, in the kernel
def explorers(namespace):
    """Every explorer (helpers.widgets.base.Explorer) in a namespace, each once."""
    from helpers.widgets.base import Explorer

    seen, found = set(), []
    for obj in list(namespace.values()):
        if isinstance(obj, Explorer) and id(obj) not in seen:
            seen.add(id(obj))
            found.append(obj)
    return found


def buttons(widget):
    import ipywidgets as W

    if isinstance(widget, W.Button):
        yield widget
    for child in getattr(widget, "children", ()):
        yield from buttons(child)


def on_display(namespace, model_ids):
    """The browser draws the explorers whose ``ui`` is in ``model_ids``: their sliders echo.
    Prints a JSON line with the number of echoes sent."""
    sent = 0
    for ex in explorers(namespace):
        if getattr(getattr(ex, "ui", None), "model_id", None) in model_ids:
            for w in ex.controls.values():
                v = display_echo(w)
                if v is not None:
                    send(w, {"value": v})
                    sent += 1
    print(json.dumps({"echoes": sent}))


def move_all(namespace):
    """Every control of every explorer, as a student moves it: each slider to both ends and back to
    the middle, each dropdown through every option, each checkbox flipped, then each button pressed
    (the sliders in the middle: short runs). Prints a JSON line with what was done."""
    import ipywidgets as W

    controls = moves = presses = 0
    shown = []
    for ex in explorers(namespace):
        shown.append(getattr(ex.ui, "model_id", None))
        for w in ex.controls.values():
            if slider_kind(w):
                for pct in (0.0, 100.0, 50.0):
                    send(w, {"value": browser_value(w, pct)})
                    moves += 1
            elif isinstance(w, W.Dropdown):
                start = w.index or 0
                for i in range(1, len(w.options) + 1):  # every other option, then the first one again
                    send(w, {"index": (start + i) % len(w.options)})
                    moves += 1
            elif isinstance(w, W.Checkbox):
                send(w, {"value": not w.value})
                moves += 1
            else:
                continue
            controls += 1
        for b in buttons(ex.ui):
            click(b)
            presses += 1
            controls += 1
    print(json.dumps({"explorers": len(shown), "ui": shown, "controls": controls, "moves": moves,
                      "presses": presses}))
