"""The html report in real headless Chromium: highlights, legend toggles, evidence on focus, no requests,
readable without JavaScript, hostile input inert. Saves artifacts/report-screenshot.png for CI.

Needs Debian's chromium (/usr/bin/chromium, installed by scripts/install-test-deps.sh); skipped without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from presslens.outputs.html import LAYER_COLOURS, SPEAKER_COLOURS, render_html
from tests.conftest import REPO
from tests.outputs.conftest import PAYLOADS, SCRIPT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = REPO / "artifacts" / "report-screenshot.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian chromium is not installed at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright python package is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A report opened in a fresh page, with every request and dialog it causes recorded."""

    def __init__(self, browser: Any, html: str, path: Path, javascript: bool = True) -> None:
        path.write_text(html, encoding="utf-8")
        self.url = path.as_uri()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(self.url)

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if url != self.url]

    def style(self, selector: str, prop: str) -> str:
        return str(self.page.eval_on_selector(selector, f"el => getComputedStyle(el).getPropertyValue('{prop}')"))


def rgb(hex_colour: str) -> str:
    """``#64748b`` as computed styles write it: ``rgb(100, 116, 139)``."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def entity_layer(analysis: dict[str, Any]) -> int:
    sections = [key for key in ("quotes", "sourcing", "naming", "techniques", "entities") if key in analysis]
    return sections.index("entities")


def test_sample_report_highlights_toggle_and_make_no_request(browser, sample_analysis, tmp_path):
    visit = Visit(browser, render_html(sample_analysis), tmp_path / "report.html")
    page = visit.page
    layer = entity_layer(sample_analysis)
    segment = f".seg.on-{layer}"
    assert page.locator(segment).count() >= len(sample_analysis["entities"])
    assert page.locator(".legend .toggle").count() >= 1 and page.locator(f"#show-{layer}").is_checked()
    band = rgb(LAYER_COLOURS["entities"])
    assert band in visit.style(segment, "background-image")  # the entity band is painted under the text

    page.locator(f"label:has(#show-{layer})").click()  # toggle the entities layer off from the legend
    assert not page.locator(f"#show-{layer}").is_checked()
    assert band not in visit.style(segment, "background-image")
    page.locator(f"label:has(#show-{layer})").click()
    assert band in visit.style(segment, "background-image")

    # keyboard: focusing a highlight shows its evidence card; Escape closes it
    quoted = page.locator(".article-text p .seg.sp-0[tabindex='0']")  # the most quoted speaker, when quoted
    (quoted if quoted.count() else page.locator(".article-text .seg[tabindex='0']")).first.focus()
    tip = page.locator("#tip")
    assert tip.is_visible()
    assert tip.locator(".card").count() >= 1 and tip.locator(".evidence, .no-evidence").count() >= 1
    assert page.locator(".seg.is-active").count() >= 1
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.keyboard.press("Escape")
    assert tip.is_hidden()

    assert visit.outside_requests() == [] and visit.dialogs == [] and visit.errors == []
    visit.context.close()


def test_overlapping_findings_show_every_card_on_hover(browser, overlap_analysis, tmp_path):
    visit = Visit(browser, render_html(overlap_analysis), tmp_path / "overlap.html")
    visit.page.locator(".article-text").get_by_text("Odessa", exact=True).hover()
    titles = visit.page.locator("#tip .card-title").all_inner_texts()
    assert titles == ["indirect quote", "vague source", "Russian transliteration", "GPE"]
    assert visit.page.locator(".seg.is-cue").count() >= 1  # the evidence cue ("Officials") is marked
    visit.context.close()


def test_print_layout_is_one_column_without_controls(browser, overlap_analysis, tmp_path):
    visit = Visit(browser, render_html(overlap_analysis), tmp_path / "print.html")
    page = visit.page
    page.locator(".article-text").get_by_text("Odessa", exact=True).hover()
    page.emulate_media(media="print")
    assert page.locator("#tip").is_hidden() and page.locator(".legend input").first.is_hidden()
    article, panel = page.locator("main.article").bounding_box(), page.locator("aside.panel").bounding_box()
    assert panel["y"] >= article["y"] + article["height"]  # the profiles follow the article
    assert page.locator(".legend .swatch").first.is_visible()  # the legend stays as a key
    visit.context.close()


def test_without_javascript_highlights_and_toggles_still_work(browser, overlap_analysis, tmp_path):
    visit = Visit(browser, render_html(overlap_analysis), tmp_path / "nojs.html", javascript=False)
    page = visit.page
    tint = rgb(SPEAKER_COLOURS[0][0])  # the most quoted speaker's tint
    assert tint in visit.style(".seg.sp-0", "background-image")
    page.locator("label:has(#show-0)").click()
    assert tint not in visit.style(".seg.sp-0", "background-image")
    assert page.locator("details.findings-layer").count() == 5  # the evidence, listed under the article
    visit.context.close()


def test_hostile_input_never_executes_and_stays_visible(browser, hostile_analysis, tmp_path):
    visit = Visit(browser, render_html(hostile_analysis), tmp_path / "hostile.html")
    page = visit.page
    for segment in page.locator(".article-text .seg[data-f]").all():  # clone every card into the tooltip
        segment.hover()
    for details in page.locator("details").all():
        details.locator("summary").first.click()
    page.locator(".meta-url").click()
    assert page.evaluate("window.__pwned") is None
    assert visit.dialogs == [] and visit.outside_requests() == []
    article = page.locator(".article-text").inner_text()
    assert all(payload in article for payload in PAYLOADS)
    assert SCRIPT in page.title()
    assert page.locator("img").count() == 0 and page.locator("script").count() == 1
    visit.context.close()
