"""Open a study report in a real headless Chromium (Playwright) and check what a reader sees.

Checks: no console errors or failed requests, every image loaded, every section
present, and each headline number on the page equal to its value in study.json.
A screenshot is kept in test-artifacts/ for a person to look at.

Chromium is Debian's (``/usr/bin/chromium``; Playwright's own download cannot run
here). ``.ci/run`` installs it and sets ``LEMMA_REQUIRE_BROWSER=1``, which turns a
missing browser into a failure; elsewhere the check is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

SECTIONS = ("answer", "data", "preparation", "models", "chosen-model", "diagnostics",
            "explanations", "fairness", "card", "reproducibility")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = ("Chromium is not installed: the report is checked in a real browser "
                   "(apt-get install chromium; .ci/run does it).")
        if os.environ.get("LEMMA_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def _lookup(data: dict, dotted: str):
    value = data
    for part in dotted.split("."):
        value = value[part]
    return value


def check_report(report: Path, study_json: Path, name: str) -> dict:
    """Run every browser check on a report; returns what the page showed."""
    from playwright.sync_api import sync_playwright

    data = json.loads(study_json.read_text())
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.goto(report.resolve().as_uri())
            page.wait_for_load_state("load")
            images = page.evaluate(
                "Array.from(document.images).map(i => [i.alt, i.complete && i.naturalWidth > 0])")
            sections = page.evaluate(
                "Array.from(document.querySelectorAll('section')).map(s => s.id)")
            shown = page.evaluate(
                "Array.from(document.querySelectorAll('[data-key]'))"
                ".map(e => [e.dataset.key, e.dataset.value ?? null, e.textContent.trim()])")
            external = page.evaluate(
                "Array.from(document.querySelectorAll('[src]')).map(e => e.getAttribute('src'))"
                ".filter(s => /^https?:/.test(s))")
            page.screenshot(path=str(ARTIFACTS / f"report-{name}.png"), full_page=True)
        finally:
            browser.close()
    assert problems == [], problems
    assert images and all(ok for _, ok in images), [alt for alt, ok in images if not ok]
    assert set(SECTIONS) <= set(sections), set(SECTIONS) - set(sections)
    assert external == [], external
    for key, value, text in shown:
        expected = _lookup(data, key)
        if value is not None:
            assert float(value) == pytest.approx(expected, rel=1e-12), key
            assert text == f"{expected:.4f}", (key, text)
        else:
            assert text == str(expected), key
    return {"images": len(images), "keys": [k for k, _, _ in shown]}
