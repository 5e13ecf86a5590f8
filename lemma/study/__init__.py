"""The study: one call from a table and a target to a validated, explained, audited model.

``lemma.study(data, target=...)`` (the command line: ``lemma study``) profiles and
prepares the data, asks the advisor for candidate models, tunes and compares them
honestly, evaluates the chosen one on held-out rows with intervals, explains and
audits it, and writes a report, a model card, the safely saved model and
``study.json``. This package is itself callable — ``lemma.study(...)`` is
:func:`lemma.study.runner.study` — while its modules (``lemma.study.advisor``,
``lemma.study.report``, ...) stay importable as usual.
"""

import sys
import types

from lemma.study.result import Study, StudyConfig
from lemma.study.runner import run_study, study

__all__ = ["Study", "StudyConfig", "run_study", "study"]


class _CallableModule(types.ModuleType):
    """Calling the package runs :func:`study` (the issue's ``lemma.study(df, ...)``)."""

    def __call__(self, *args, **kwargs):
        return study(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
