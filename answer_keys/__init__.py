"""Old name, kept for one release: the answer keys are ``coursework.keys`` now.

A notebook saved before the move (``from answer_keys import vanishing as reference``) keeps
working and is told, in one line, where the name went. Remove after the next release.
"""

import sys

try:
    from coursework import keys as _keys
except ImportError:
    raise ImportError("answer_keys has moved to coursework.keys, which this installation leaves out (it holds "
                      "the answers): use the notebooks of the current release") from None

print("note: answer_keys has moved to coursework.keys; the old name goes in the next release")
for _name, _module in list(sys.modules.items()):
    if _name.startswith("coursework.keys."):
        sys.modules[f"{__name__}.{_name.rsplit('.', 1)[1]}"] = _module
sys.modules[__name__] = _keys
