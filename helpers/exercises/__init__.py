"""Old name, kept for one release: the answer keys (helpers.exercises until November 2026) are
``coursework.keys`` now.

A notebook saved before the move (``from helpers.exercises import vanishing as reference``) keeps
working and is told, in one line, where the name went. Remove after the next release.
"""

import sys

try:
    from coursework import keys as _keys
except ImportError:
    raise ImportError("helpers.exercises has moved to coursework.keys, which this installation leaves out (it holds "
                      "the answers): use the notebooks of the current release") from None

print("note: helpers.exercises has moved to coursework.keys; the old name goes in the next release")
for _name, _module in list(sys.modules.items()):
    if _name.startswith("coursework.keys."):
        sys.modules[f"{__name__}.{_name.rsplit('.', 1)[1]}"] = _module
sys.modules[__name__] = _keys
