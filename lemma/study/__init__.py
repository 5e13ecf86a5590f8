"""The study: one call from a table and a target to a validated, explained, audited model.

:func:`study` (also ``lemma.study`` at the top level, and ``lemma study`` on the
command line) profiles and prepares the data, asks the advisor for candidate
models, tunes and compares them honestly, evaluates the chosen one on held-out
rows with intervals, explains and audits it, and writes a report, a model card,
the safely saved model and ``study.json``.
"""

from lemma.study.result import Study, StudyConfig
from lemma.study.runner import run_study, study

__all__ = ["Study", "StudyConfig", "run_study", "study"]
