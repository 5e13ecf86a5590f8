"""Documents as a list of sections of simple blocks, rendered to Markdown or to one HTML file.

A block is a paragraph, a bullet list, a list of named fields, a table or a block of
code. The same sections render to GitHub-flavoured Markdown and to a self-contained
HTML page (inline CSS, no scripts, no external resources), so a model card reads the
same in a repository and in a browser offline.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Bullets",
    "Code",
    "Fields",
    "Paragraph",
    "Section",
    "Table",
    "format_value",
    "html_body",
    "style",
    "to_html",
    "to_markdown",
]


@dataclass
class Paragraph:
    text: str


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Fields:
    """Named values, one per line ("Name: value")."""

    pairs: list[tuple[str, Any]]


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class Code:
    text: str


@dataclass
class Section:
    title: str
    blocks: list[Any] = field(default_factory=list)


def format_value(value: Any) -> str:
    """Numbers to 4 significant digits, None and NaN as "—", the rest as text.

    Examples
    --------
    >>> from lemma.explain._render import format_value
    >>> format_value(0.123456), format_value(None), format_value(12), format_value(True)
    ('0.1235', '—', '12', 'yes')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    return str(value)


# ------------------------------------------------------------------------------ Markdown
def _md_cell(value: Any) -> str:
    return format_value(value).replace("|", "\\|").replace("\n", " ")


def _md_paragraph(block: Paragraph) -> str:
    return block.text


def _md_bullets(block: Bullets) -> str:
    return "\n".join(f"- {item}" for item in block.items)


def _md_fields(block: Fields) -> str:
    return "\n".join(f"- **{name}:** {format_value(value)}" for name, value in block.pairs)


def _md_table(block: Table) -> str:
    head = "| " + " | ".join(_md_cell(c) for c in block.columns) + " |"
    rule = "|" + "|".join(" --- " for _ in block.columns) + "|"
    body = ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in block.rows]
    return "\n".join([head, rule, *body])


def _md_code(block: Code) -> str:
    return f"```text\n{block.text.rstrip()}\n```"


_MARKDOWN: dict[type, Callable[[Any], str]] = {
    Paragraph: _md_paragraph,
    Bullets: _md_bullets,
    Fields: _md_fields,
    Table: _md_table,
    Code: _md_code,
}


def to_markdown(title: str, sections: Sequence[Section], footer: str = "") -> str:
    """The document as Markdown: ``# title``, one ``##`` heading per section."""
    parts = [f"# {title}"]
    for section in sections:
        parts.append(f"## {section.title}")
        parts.extend(_MARKDOWN[type(block)](block) for block in section.blocks)
    if footer:
        parts.append(f"---\n\n{footer}")
    return "\n\n".join(parts) + "\n"


# ------------------------------------------------------------------------------ HTML
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a202c;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { border-bottom: 2px solid #2b6cb0; padding-bottom: .3rem; }
h2 { color: #2b6cb0; margin-top: 2rem; border-bottom: 1px solid #e2e8f0; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #e2e8f0; padding: .25rem .6rem; text-align: left; }
th { background: #f7fafc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f7fafc; border: 1px solid #e2e8f0; padding: .6rem; overflow-x: auto; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
footer { margin-top: 3rem; color: #4a5568; font-size: .9rem; }
"""


def _html_cell(value: Any, tag: str = "td") -> str:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    css = " class='num'" if numeric and tag == "td" else ""
    return f"<{tag}{css}>{html.escape(format_value(value))}</{tag}>"


def _html_paragraph(block: Paragraph) -> str:
    return f"<p>{html.escape(block.text)}</p>"


def _html_bullets(block: Bullets) -> str:
    items = "".join(f"<li>{html.escape(item)}</li>" for item in block.items)
    return f"<ul>{items}</ul>"


def _html_fields(block: Fields) -> str:
    pairs = "".join(
        f"<dt>{html.escape(name)}</dt><dd>{html.escape(format_value(value))}</dd>"
        for name, value in block.pairs
    )
    return f"<dl>{pairs}</dl>"


def _html_table(block: Table) -> str:
    head = "".join(_html_cell(c, "th") for c in block.columns)
    body = "".join("<tr>" + "".join(_html_cell(v) for v in row) + "</tr>" for row in block.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_code(block: Code) -> str:
    return f"<pre>{html.escape(block.text.rstrip())}</pre>"


_HTML: dict[type, Callable[[Any], str]] = {
    Paragraph: _html_paragraph,
    Bullets: _html_bullets,
    Fields: _html_fields,
    Table: _html_table,
    Code: _html_code,
}


def html_body(title: str, sections: Sequence[Section], footer: str = "") -> str:
    """The document's content as an HTML fragment (headings, sections, footer)."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    for section in sections:
        blocks = "".join(_HTML[type(block)](block) for block in section.blocks)
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>{blocks}</section>")
    if footer:
        parts.append(f"<footer>{html.escape(footer)}</footer>")
    return "\n".join(parts)


def to_html(title: str, sections: Sequence[Section], footer: str = "") -> str:
    """A complete, self-contained HTML page (inline CSS; no scripts or external links)."""
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{html_body(title, sections, footer)}\n</main>\n</body>\n</html>\n"
    )


def style() -> str:
    """The inline CSS of :func:`to_html` (for embedding a fragment elsewhere)."""
    return _CSS
