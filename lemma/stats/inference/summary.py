"""A model summary that renders as text, as a DataFrame and as HTML.

Every model with a statistical theory behind it returns a :class:`Summary` from
``summary()``: a title, model-level statistics (observations, R², AIC, ...), a
coefficient table, and notes in plain language (which covariance was used,
conditioning, why some inference is not shown). ``str(summary)`` is the text
table; ``summary.to_frame()`` the coefficient table; in Jupyter it shows as HTML.

Examples
--------
>>> import pandas as pd
>>> from lemma.stats.inference.summary import Summary
>>> table = pd.DataFrame({"coef": [1.5], "std_err": [0.25]}, index=["x"])
>>> print(Summary("Demo", [("Observations", 10)], table, ["A note."]).as_text())
Demo
==================================
Observations                    10
==================================
    coef std_err
x  1.500  0.2500
==================================
Notes:
  1. A note.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Summary", "format_number"]


def format_number(value: Any, digits: int = 4) -> str:
    """Compact, aligned-friendly text for a statistic (``nan`` shown as ``—``)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return f"{int(value):,}" if abs(int(value)) >= 10000 else str(int(value))
    x = float(value)
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:  # counts stored as floats (sums of weights)
        return format_number(int(x), digits)
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.{digits}g}" if abs(x) >= 1 else f"{x:.{digits}f}"
    return f"{x:.{max(digits - 1, 1)}e}"


_COLUMN_DIGITS = {"p_value": 4, "std_err": 4}


@dataclass
class Summary:
    """Title, model statistics, coefficient table and notes of a fitted model.

    Attributes
    ----------
    title : str
    info : list of (str, value)
        Model-level statistics, shown in two columns.
    table : DataFrame
        One row per coefficient (``coef``, ``std_err``, ``t`` or ``z``,
        ``p_value``, interval bounds), or just ``coef`` when inference is invalid.
    notes : list of str
        Plain-language notes, numbered when rendered.
    """

    title: str
    info: Sequence[tuple[str, Any]]
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ renderers
    def to_frame(self) -> pd.DataFrame:
        """The coefficient table (a copy)."""
        return self.table.copy()

    def _formatted_table(self) -> pd.DataFrame:
        out = pd.DataFrame(index=[str(i) for i in self.table.index])
        for col in self.table.columns:
            values = self.table[col].to_numpy()
            if col == "p_value":
                out[col] = [_format_p(v) for v in values]
            elif col == "std_err":
                out[col] = [_fixed(v, 4) for v in values]
            else:
                out[col] = [_fixed(v, 3) for v in values]
        return out

    def as_text(self, width: int | None = None) -> str:
        """Fixed-width text rendering."""
        body = self._formatted_table().to_string(justify="right")
        info_cells = [f"{k:<22}{format_number(v):>12}" for k, v in self.info]
        rows = ["   ".join(info_cells[i : i + 2]) for i in range(0, len(info_cells), 2)]
        width = width or max(
            [len(self.title), *(len(r) for r in rows), *(len(line) for line in body.splitlines())]
        )
        rule = "=" * width
        lines = [self.title, rule, *rows, rule, body, rule]
        if self.notes:
            lines.append("Notes:")
            for i, note in enumerate(self.notes, 1):
                wrapped = textwrap.wrap(note, max(width - 5, 40))
                lines.append(f"  {i}. {wrapped[0]}")
                lines.extend(f"     {w}" for w in wrapped[1:])
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        info = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
            f"<td style='text-align:right'>{html.escape(format_number(v))}</td></tr>"
            for k, v in self.info
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        table = self._formatted_table().to_html(border=0, classes="lemma-coef")
        return (
            f"<div class='lemma-summary'><h4>{html.escape(self.title)}</h4>"
            f"<table class='lemma-info'>{info}</table>{table}"
            + (f"<p><b>Notes</b></p><ol>{notes}</ol>" if notes else "")
            + "</div>"
        )

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()


def _fixed(value: Any, decimals: int) -> str:
    x = float(value)
    if math.isnan(x):
        return "—"
    if x != 0 and (abs(x) >= 1e6 or abs(x) < 10 ** (-decimals)):
        return f"{x:.{decimals}e}"
    return f"{x:.{decimals}f}"


def _format_p(value: Any) -> str:
    x = float(value)
    if math.isnan(x):
        return "—"
    return "<0.0001" if x < 1e-4 else f"{x:.4f}"
