"""Old name, kept for one release: the exercises' checks are the package ``coursework`` now.

A notebook saved before the move (``from helpers.checks import check, verdict``) keeps working
and is told, in one line, where the name went. This module and ``helpers.exercises`` are the
only parts of helpers that import course content; both go in the next release.
"""

from coursework import EXERCISES, check, verdict  # noqa: F401

try:  # the instructor's keys (references and mistakes), where this installation has them
    from coursework.keys import REGISTRY as EXERCISES  # noqa: F401, F811
    from coursework.keys import Mistake, exercise  # noqa: F401
except ImportError:
    pass

print("note: helpers.checks has moved to coursework (from coursework import check); the old name goes in the "
      "next release")
