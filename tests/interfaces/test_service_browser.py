"""The browser UI in real headless Chromium (Debian's /usr/bin/chromium through Playwright) against the real server:
paste the sample article, wait for the report, click a quote and see its speaker; browse the corpus and an
outlet's charts. Screenshots go to artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from presslens.corpus.store import Store
from presslens.interfaces.service import ServiceSettings, create_app
from presslens.interfaces.service.server import background_server
from tests.interfaces.test_service import ADDED_PARAGRAPH, rewritten

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian chromium is not installed at {CHROMIUM}"),
]


#: Names in the sample and the convention each follows (the knowledge base's), for the seeded outlet history.
CONVENTIONS = {"Artyomovsk": "russian-transliteration", "Kiev": "russian-transliteration",
               "Bakhmut": "ukrainian-official", "Kyiv": "ukrainian-official"}
#: Three months of an outlet moving from Russian to Ukrainian names: (published, {written: replacement}).
HISTORY = [
    ("2023-01-15", {}),
    ("2023-02-15", {"Kiev": "Kyiv"}),
    ("2023-03-15", {"Kiev": "Kyiv", "Artyomovsk": "Bakhmut"}),
]


def seed_outlet_history(store_path: Path, sample: str) -> list[str]:
    """Store three analyses of an outlet "Monitor" with naming and sourcing sections, one per month; the titles
    the naming chart's bars should show ("2023-01 · russian-transliteration: 88%")."""
    bars = []
    for published, replacements in HISTORY:
        text = sample
        for old, new in replacements.items():
            text = text.replace(old, new)
        naming = [{"start": m.start(), "end": m.end(), "text": m.group(), "canonical": m.group(),
                   "convention": CONVENTIONS[m.group()]} for m in re.finditer("|".join(CONVENTIONS), text)]
        sourcing = [{"start": m.start(), "end": m.end(), "text": m.group(), "hedged": False, "cue": None,
                     "source": None, "label": "quote" if "“" in m.group() else "outlet assertion"}
                    for m in re.finditer(r"[^\n]+", text)]
        analysis = {"article": {"id": f"monitor-{published}", "content_hash": f"monitor-{published}",
                                "outlet": "Monitor", "published": published, "title": "Monitor", "text": text},
                    "naming": naming, "sourcing": sourcing, "errors": []}
        with Store.open(store_path) as store:
            store.put_analysis(analysis, analysers=["naming", "sourcing"])
        for convention in sorted({n["convention"] for n in naming}):
            share = sum(n["convention"] == convention for n in naming) / len(naming)
            bars.append(f"{published[:7]} · {convention}: {int(share * 100 + 0.5)}%")  # as Math.round does
    return bars


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser") / "store.db"


@pytest.fixture(scope="module")
def naming_bars(store_path: Path, sample_path: Path) -> list[str]:
    return seed_outlet_history(store_path, sample_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def base_url(pipeline: Any, store_path: Path, naming_bars: list[str]) -> Iterator[str]:
    store = store_path
    with background_server(create_app(ServiceSettings(store=str(store)), pipeline=pipeline)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watched:
    """Every request that left the loopback servers, and every script error or CSP violation, of one page."""

    foreign_requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@pytest.fixture
def watched() -> Watched:
    return Watched()


@pytest.fixture
def page(browser: Any, watched: Watched) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 1440, "height": 1100})
    page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1:", "data:"))
            else watched.foreign_requests.append(r.url))
    page.on("pageerror", lambda error: watched.problems.append(str(error)))
    page.on("console", lambda m: watched.problems.append(m.text) if m.type == "error" else None)
    yield page
    page.close()


def test_paste_the_sample_then_click_a_quote_to_see_its_speaker(page: Any, watched: Watched, base_url: str,
                                                                 sample_path: Path, pipeline: Any) -> None:
    if "quotes" not in pipeline.names:
        pytest.skip("the quotes analyser is not installed")
    page.goto(base_url)
    page.fill("#input-text", sample_path.read_text(encoding="utf-8"))
    page.fill("#input-published", "2023-03-29")
    page.click("#analyze-button")
    page.wait_for_selector("#report-text .seg.q", timeout=30_000)
    article_id = page.evaluate("decodeURIComponent(location.hash.split('/')[1])")
    analysis = httpx.get(f"{base_url}/articles/{article_id}").json()
    assert page.inner_text("#report-title") == analysis["article"]["title"]

    quote = next(q for q in analysis["quotes"] if q["content"]["text"].startswith("Our society will feel tired"))
    piece = page.locator(f'#report-text .seg.q[data-start="{quote["content"]["start"]}"]')
    piece.click()
    speaker = page.inner_text("#detail-speaker")
    assert speaker == quote["speaker"] and "Zelensk" in speaker
    assert quote["content"]["text"] in page.inner_text("#detail blockquote")
    selected = page.locator("#report-text .seg.selected").all_inner_texts()
    assert "".join(selected) == quote["content"]["text"]  # the whole quote is marked, nothing else
    if quote["cue"]:
        assert quote["cue"]["text"] in "".join(page.locator("#report-text .cue-mark").all_inner_texts())

    page.screenshot(path=str(ARTIFACTS / "service-screenshot.png"), full_page=False)

    toggle = page.locator('#layer-toggles [data-layer="q"]')
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "false"
    background = piece.evaluate("node => getComputedStyle(node).backgroundColor")
    assert background in {"rgba(0, 0, 0, 0)", "transparent"}  # the quotes layer is hidden
    assert "Click or focus a highlight" in page.inner_text("#detail")  # and its selected quote let go
    assert watched.foreign_requests == [] and watched.problems == []


def test_hostile_text_is_shown_not_run(page: Any, base_url: str) -> None:
    hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> Putin said "talks failed".'
    page.goto(base_url)
    page.fill("#input-text", hostile)
    page.fill("#input-title", '"><svg onload="window.pwned=3">')
    page.click("#analyze-button")
    page.wait_for_selector("#report:not([hidden])")
    assert page.evaluate("window.pwned") is None
    assert page.locator("#report-text img, #report-text script, #report-title svg").count() == 0
    assert "<script>window.pwned=2</script>" in page.inner_text("#report-text")
    assert page.inner_text("#report-title") == '"><svg onload="window.pwned=3">'


def test_corpus_browser_filters_and_outlet_charts(page: Any, watched: Watched, base_url: str, sample_path: Path,
                                                   naming_bars: list[str]) -> None:
    text = sample_path.read_text(encoding="utf-8")
    for published, suffix in (("2023-02-10", "A"), ("2023-03-29", "B")):
        body = {"text": f"{text}\n\nUpdate {suffix}.", "published": published, "outlet": "RT"}
        response = httpx.post(f"{base_url}/analyze", json=body, timeout=60)
        assert response.status_code == 200
    page.goto(f"{base_url}/#corpus")
    page.wait_for_selector("#corpus-table tbody tr")
    assert page.locator("#corpus-table tbody tr").count() >= 2
    page.fill('#corpus-form [name="outlet"]', "RT")
    page.fill('#corpus-form [name="until"]', "2023-02-28")
    page.click('#corpus-form button[type="submit"]')
    page.locator("#corpus-count", has_text=re.compile(r"^1 article$")).wait_for()
    assert "2023-02-10" in page.inner_text("#corpus-table tbody")
    assert "2023-03-29" not in page.inner_text("#corpus-table tbody")
    page.locator("#corpus-table tbody tr a").first.click()
    page.wait_for_selector("#view-analyze:not([hidden]) #report:not([hidden])")

    page.goto(f"{base_url}/#outlets")
    page.wait_for_selector("#outlet-summary .stat")
    assert set(page.locator("#outlet-select option").evaluate_all("options => options.map(o => o.value)")) == {
        "RT", "Monitor"}
    page.select_option("#outlet-select", "Monitor")
    page.wait_for_selector("#chart-naming svg rect")
    bars = page.locator("#chart-naming svg rect title").all_text_contents()
    assert sorted(bars) == naming_bars
    assert "2023-03 · ukrainian-official: 100%" in bars
    assert page.locator("#chart-unsourced svg circle").count() == len(HISTORY)
    assert page.inner_text("#chart-naming .legend") == "russian-transliteration\nukrainian-official"
    page.screenshot(path=str(ARTIFACTS / "service-outlets.png"), full_page=False)
    assert watched.foreign_requests == [] and watched.problems == []


@pytest.fixture
def stories_url(pipeline: Any, sample_path: Path, tmp_path: Path) -> Iterator[str]:
    """A server whose store holds the sample (RT) and a rewrite of it by another outlet."""
    from presslens.corpus.embeddings import EmbeddingsUnavailableError, load_embedder

    try:
        load_embedder()
    except EmbeddingsUnavailableError as exc:
        pytest.skip(str(exc))
    text = sample_path.read_text(encoding="utf-8")
    with background_server(create_app(ServiceSettings(store=str(tmp_path / "s.db")), pipeline=pipeline)) as url:
        for body in ({"text": text, "published": "2023-03-29"},
                     {"text": rewritten(text), "outlet": "Wire", "published": "2023-03-30"}):
            assert httpx.post(f"{url}/analyze", json=body, timeout=60).status_code == 200
        yield url


def test_story_view_compares_two_outlets_side_by_side(page: Any, watched: Watched, stories_url: str) -> None:
    page.goto(f"{stories_url}/#stories")
    page.click("#refresh-stories")
    page.locator("#stories-status", has_text="2 articles clustered").wait_for(timeout=60_000)
    page.click(".story")
    page.wait_for_selector("#story-detail tr.differs")
    assert page.locator("#story-detail tr.differs td:first-child").all_inner_texts() == ["Bakhmut", "Kyiv"]
    assert page.locator("#story-detail input:checked").count() == 2  # one article of each outlet, preselected
    page.click("#compare-button")
    page.wait_for_selector("#compare-result .compare-cols", timeout=60_000)
    columns = page.locator("#compare-result .compare-col")
    assert columns.locator(".kicker").all_inner_texts() == ["RT · 2023-03-29", "WIRE · 2023-03-30"]
    only_b = "".join(columns.nth(1).locator(".seg.p-only").all_inner_texts())
    assert ADDED_PARAGRAPH in only_b
    assert "Our society will push me" in "".join(columns.nth(0).locator(".seg.p-only").all_inner_texts())
    assert "Artyomovsk" in columns.nth(0).locator(".seg.n").all_inner_texts()
    # clicking a passage in one column marks its aligned passage in the other
    columns.nth(0).locator(".seg.p-naming").first.click()
    marked_b = "".join(columns.nth(1).locator(".seg.selected").all_inner_texts())
    assert "Bakhmut" in marked_b and "Artyomovsk" not in marked_b
    page.screenshot(path=str(ARTIFACTS / "service-compare.png"), full_page=False)
    assert watched.foreign_requests == [] and watched.problems == []
