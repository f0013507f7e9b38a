"""The html report: strictly valid, self-contained markup; findings drawn in place; hostile input inert."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from presslens.outputs import output_formats
from presslens.outputs.annotations import ReportError
from presslens.outputs.html import render_html
from tests.outputs.conftest import JS_URL, PAYLOADS, SCRIPT

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and (cls is None or cls in (element.attrs.get("class") or "").split())
        ]

    def one(self, tag: str | None = None, cls: str | None = None) -> Element:
        found = self.all(tag, cls)
        assert len(found) == 1, f"expected one <{tag} class={cls}>, found {len(found)}"
        return found[0]

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


class StrictParser(HTMLParser):
    """Builds a tree and records every markup problem: unclosed, stray or mismatched tags, duplicate ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]
        self.problems: list[str] = []
        self.ids: set[str] = set()
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"<{tag}> repeats an attribute: {names}")
        element = Element(tag, dict(attrs))
        if element.attrs.get("id"):
            if element.attrs["id"] in self.ids:
                self.problems.append(f"duplicate id {element.attrs['id']!r}")
            self.ids.add(str(element.attrs["id"]))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.problems.append(f"self-closing <{tag}/> is not a void element")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problems.append(f"end tag for void element </{tag}>")
        elif self.stack[-1].tag != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1].tag}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """The document tree; fails the test on any markup problem."""
    parser = StrictParser()
    parser.feed(html)
    parser.close()
    problems = parser.problems + [f"<{element.tag}> is never closed" for element in parser.stack[1:]]
    assert not problems, problems
    assert parser.doctype == "DOCTYPE html"
    return parser.root


def finding_ids(element: Element) -> set[str]:
    return {fid for seg in element.all(cls="seg") for fid in (seg.attrs.get("data-f") or "").split()}


def test_html_is_a_registered_output_format():
    output = output_formats()["html"]
    assert output.suffix == ".html" and output.render is render_html


def test_sample_report_is_valid_and_self_contained(sample_analysis):
    document = parse(render_html(sample_analysis))
    assert not document.all("link") and not document.all("img") and not document.all("iframe")
    assert all("src" not in element.attrs for element in document.iter())
    assert {a.attrs["href"][:1] for a in document.all("a")} <= {"#"}  # the sample has no URL
    styles = " ".join(style.text() for style in document.all("style"))
    assert "url(" not in styles and "@import" not in styles
    csp = next(m.attrs["content"] for m in document.all("meta") if m.attrs.get("http-equiv"))
    assert "default-src 'none'" in str(csp)
    # every finding of every section is drawn in the text and has its evidence card
    sections = [key for key in ("quotes", "sourcing", "naming", "techniques", "entities") if key in sample_analysis]
    total = sum(len(sample_analysis[key]) for key in sections)
    assert total > 0
    assert len(finding_ids(document.one(cls="article-text"))) == total
    assert len(document.all("li", "card")) == total
    toggles = [
        i for i in document.all("input") if i.attrs.get("id", "").startswith("show-") and "sp" not in i.attrs["id"]
    ]
    assert len(toggles) == len(sections)


def test_the_text_is_shown_whole_and_overlaps_carry_every_finding(overlap_analysis):
    document = parse(render_html(overlap_analysis))
    article = document.one(cls="article-text")
    paragraphs = [element for element in article.children if isinstance(element, Element)]
    assert [p.text() for p in paragraphs] == overlap_analysis["article"]["text"].split("\n\n")
    odessa = next(seg for seg in article.all(cls="seg") if seg.text() == "Odessa")
    assert set(odessa.attrs["data-f"].split()) == {"0-0", "1-0", "2-0", "4-0"}
    assert {"on-1", "on-2", "on-4", "sp-1"} <= set(odessa.attrs["class"].split())  # bands + speaker tint
    # the technique crossing a paragraph break and two quotes is drawn in both paragraphs
    crossing = [p for p in paragraphs if any("3-0" in (s.attrs.get("data-f") or "") for s in p.all(cls="seg"))]
    assert len(crossing) == 2
    # a quote's cue is drawn in its speaker's colour; an evidence cue only carries data-cue for focus
    told = next(seg for seg in article.all(cls="seg") if seg.text() == "told")
    assert {"attr", "spa-0"} <= set(told.attrs["class"].split())
    shelled = next(seg for seg in article.all(cls="seg") if seg.text() == "shelled")
    assert "3-0" in shelled.attrs["data-cue"].split()


def test_every_finding_is_reachable_by_keyboard_and_described_by_its_card(overlap_analysis):
    document = parse(render_html(overlap_analysis))
    cards = {card.attrs["id"] for card in document.all("li", "card")}
    focusable = [seg for seg in document.all(cls="seg") if seg.attrs.get("tabindex") == "0"]
    described = {ref for seg in focusable for ref in str(seg.attrs["aria-describedby"]).split()}
    assert described == cards
    jumps = {a.attrs["href"] for a in document.all("a", "card-jump")}
    assert jumps == {f"#{seg.attrs['id']}" for seg in focusable}


def test_legend_has_a_toggle_per_layer_and_speaker_and_css_hides_unchecked_layers(overlap_analysis):
    html = render_html(overlap_analysis)
    document = parse(html)
    labels = [label.text() for label in document.all("label", "toggle")]
    assert [label.split()[0] for label in labels] == [
        "Quotes",
        "Sourcing",
        "Naming",
        "Techniques",
        "Entities",
        "Hennadiy",
        "Officials",
    ]
    for layer in range(5):
        assert f"body:has(#show-{layer}:not(:checked))" in html
    assert "body:has(#show-sp-0:not(:checked)) .seg.sp-0" in html


def test_side_panel_shows_profiles_removed_boilerplate_collapsed_and_errors(overlap_analysis):
    overlap_analysis["errors"] = [{"analyser": "techniques", "message": "RuntimeError: model missing"}]
    document = parse(render_html(overlap_analysis))
    panel = document.one("aside")
    text = " ".join(panel.text().split())
    assert "Mixes spellings: Odessa once, Odesa once" in text
    assert re.search(r"Vague source ?50%", text) and re.search(r"Hedged share ?50%", text)
    assert [th.text() for th in panel.all("th")][:4] == ["Name", "Quotes", "Direct", "Indirect"]
    removed = panel.one("details", "removed")
    assert "open" not in removed.attrs and "share bar" in removed.text() and "Photo: Reuters" in removed.text()
    assert "techniques: RuntimeError: model missing" in " ".join(panel.one(cls="box-alert").text().split())


def test_findings_that_do_not_fit_are_listed_with_the_reason(overlap_analysis):
    overlap_analysis["naming"].append({"start": 0, "end": 4, "text": "Nope", "canonical": "x", "convention": "y"})
    document = parse(render_html(overlap_analysis))
    warning = " ".join(document.one(cls="box-warn").text().split())
    assert "1 finding could not be placed" in warning and "naming #3" in warning


def test_only_web_urls_become_links(overlap_analysis):
    document = parse(render_html(overlap_analysis))
    link = next(a for a in document.all("a") if a.attrs["href"] == "https://example.org/news/odesa")
    assert "noopener" in str(link.attrs["rel"]) and "noreferrer" in str(link.attrs["rel"])
    for url in (JS_URL, " JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,<b>x</b>", "//evil.example/x"):
        overlap_analysis["article"]["url"] = url
        document = parse(render_html(overlap_analysis))
        assert all(str(a.attrs["href"]).startswith("#") for a in document.all("a")), url
        assert url.strip() in document.one(cls="url-text").text()


def test_hostile_input_stays_text_in_every_field(hostile_analysis):
    html = render_html(hostile_analysis)
    document = parse(html)
    scripts = document.all("script")
    assert len(scripts) == 1 and scripts[0].attrs == {}
    assert not document.all("img")
    handlers = [(e.tag, name) for e in document.iter() for name in e.attrs if name.lower().startswith("on")]
    assert handlers == []
    assert all(str(a.attrs.get("href", "")).startswith("#") for a in document.all("a"))
    assert all(re.fullmatch(r"[\w -]*", str(e.attrs.get("class") or "")) for e in document.iter())
    # the payloads are shown as text: in the article, the title, the cards and the side panel
    shown = document.one("body").text()
    for payload in PAYLOADS:
        assert payload in document.one(cls="article-text").text()
        assert shown.count(payload) >= 10, payload
    assert SCRIPT in document.one("title").text()
    legend = document.one("nav").text()
    assert "\"'><img src=x" in legend  # the hostile section name and speaker, as text


def test_the_page_allows_only_its_own_script(sample_analysis):
    document = parse(render_html(sample_analysis))
    csp = str(next(m.attrs["content"] for m in document.all("meta") if m.attrs.get("http-equiv")))
    script = document.one("script").text()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    assert f"script-src 'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_an_analysis_without_text_is_an_error_not_a_page():
    with pytest.raises(ReportError):
        render_html({"schema_version": "1.0", "article": {"id": "x"}})
