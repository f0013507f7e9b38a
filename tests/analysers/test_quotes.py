"""The quotes analyser: the sample's gold quotes, hostile quotation marks, the PolNeAR reader and its scoring."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from presslens.analysers.quotes import Quote
from presslens.analysers.quotes.evaluate import PolnearCounts, Predicted, polnear_view, score_polnear_article
from presslens.analysers.quotes.marks import quotations, quoted_stretches
from presslens.analysers.quotes.polnear import PolnearFormatError, parse_ann, read_polnear
from presslens.eval import run_eval_task
from presslens.ingest import ingest_text
from presslens.records import Evidence, Span

POLNEAR = Path(__file__).parent / "data" / "polnear"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _covering(quotes: list[dict[str, Any]], start: int, end: int) -> list[dict[str, Any]]:
    """Quotes whose content holds ``[start, end)`` and is mostly that span."""
    return [
        quote for quote in quotes
        if quote["start"] <= start and end <= quote["end"] and 2 * (end - start) >= quote["end"] - quote["start"]
    ]


# --- the sample article -------------------------------------------------------------------------------------


def test_every_gold_quote_of_the_sample_is_found_with_its_speaker_and_kind(
    sample_analysis: dict[str, Any], sample_gold: dict[str, Any]
) -> None:
    text, quotes = sample_analysis["article"]["text"], sample_analysis["quotes"]
    assert not [error for error in sample_analysis["errors"] if error["analyser"] == "quotes"]
    for gold in sample_gold["quotes"]:
        start = text.find(gold["text"])
        assert start >= 0, f"gold quote not in the clean text: {gold['text']!r}"
        end = start + len(gold["text"])
        found = _covering(quotes, start, end)
        assert found, f"not found: {gold['text']!r}"
        quote = found[0]
        assert (quote["speaker"], quote["kind"]) == (gold["speaker"], gold["kind"]), gold["text"]
        if gold["kind"] != "indirect":  # quotation marks fix the boundaries: they must be exact
            assert (quote["start"], quote["end"]) == (start, end), gold["text"]
        if "speaker_mention" in gold:
            assert quote["source"]["text"] == gold["speaker_mention"]


def test_sample_cues_flags_and_continuations(sample_analysis: dict[str, Any]) -> None:
    by_text = {quote["text"]: quote for quote in sample_analysis["quotes"]}
    urged = next(quote for text, quote in by_text.items() if text.startswith("the president to withdraw"))
    assert urged["cue"]["text"] == "have reportedly urged" and urged["hedged"]
    assert urged["speaker_type"] == "anonymous"
    claimed = next(quote for text, quote in by_text.items() if text.startswith("as president he chose"))
    assert claimed["casts_doubt"] and claimed["cue"]["text"] == "claimed"
    continued = by_text["Our society will push me to have compromise with them."]
    assert continued["continues"] and continued["cue"] is None
    mixed = by_text["sell this victory to the West, to his society, to China, to Iran,"]
    assert mixed["clause"]["text"].startswith("Russian President Vladimir Putin would “sell")
    assert by_text["Artyomovsk as lacking in military importance"]["speaker"] == "Western officials"
    for quote in sample_analysis["quotes"]:
        assert quote["evidence"]["rule"]
        text = sample_analysis["article"]["text"]
        for part in ("content", "cue", "source", "clause"):
            if quote[part] is not None:
                assert text[quote[part]["start"] : quote[part]["end"]] == quote[part]["text"]


def test_speakers_profile_counts_the_quotes(sample_analysis: dict[str, Any]) -> None:
    profile = sample_analysis["profiles"]["speakers"]
    quotes = sample_analysis["quotes"]
    assert profile["quotes"] == len(quotes)
    for speaker in profile["speakers"]:
        mine = [quote for quote in quotes if quote["speaker"] == speaker["speaker"]]
        assert speaker["quotes"] == len(mine)
        assert speaker["direct"] == sum(quote["kind"] == "direct" for quote in mine)
    assert profile["speakers"][0]["speaker"] == "Volodymyr Zelenskyy"


# --- hostile quotation marks --------------------------------------------------------------------------------

HOSTILE = {
    "unclosed opening mark": (
        "“We will never surrender, the minister said on Monday.\n\nThe talks resumed in Geneva on Tuesday.\n\n"
        '"We are ready," said Anna Petrova, a spokeswoman for the ministry.',
        ("We are ready,", "Anna Petrova"),
    ),
    "curly and straight mixed": (
        '"We have the votes,” Smith told reporters. “The rest is noise," she added.\n\nThe vote is on Friday.',
        ("We have the votes,", "Smith"),
    ),
    "nested quotes": (
        "“He told me ‘never again’ and I believed him,” said John Doe.\n\nDoe later left the party.",
        ("He told me ‘never again’ and I believed him,", "John Doe"),
    ),
    "guillemets": (
        "Le ministre a parlé.\n\nMarie Dupont said: « The reform will pass on Friday. »",
        ("The reform will pass on Friday.", "Marie Dupont"),
    ),
    "marks and nothing else": (
        "\" \" “ ” « » ' '' ``\n\nThe president of the union, Carla Diaz, said that the strike would go on.",
        ("the strike would go on", "Carla Diaz"),
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_quotation_marks_neither_crash_nor_swallow_the_article(pipeline: Any, name: str) -> None:
    text, (content, speaker) = HOSTILE[name]
    analysis = pipeline.analyze(ingest_text(text, source=name, clean=False)).to_json()
    assert not [error for error in analysis["errors"] if error["analyser"] == "quotes"]
    for quote in analysis["quotes"]:
        assert "\n\n" not in quote["text"], "a quote ran over a paragraph break"
    assert (content, speaker) in [(quote["text"], quote["speaker"]) for quote in analysis["quotes"]]


def test_unclosed_quote_ends_with_its_paragraph() -> None:
    text = "“Never, she said.\n\nNext paragraph with “a real quote” in it."
    found = quotations(text)
    assert [text[s.inner_start : s.inner_end] for s in found] == ["Never, she said.", "a real quote"]
    assert [s.closed for s in found] == [False, True]


def test_apostrophes_are_not_quotation_marks() -> None:
    text = "The voters’ choice: Clinton’s aides said the ‘90s strategy won’t return. He said ‘no’."
    assert [text[s.inner_start : s.inner_end] for s in quotations(text)] == ["no"]


def test_nested_and_continued_quotes() -> None:
    text = "“He said ‘never’ twice.\n\n“Then he left,” she said."
    stretches = quoted_stretches(text)
    nested = [s for s in stretches if s.depth == 1]
    assert [text[s.inner_start : s.inner_end] for s in nested] == ["never"]
    top = [s for s in stretches if s.depth == 0]
    assert [s.continued for s in top] == [False, True]


# --- the PolNeAR reader -------------------------------------------------------------------------------------


def test_polnear_reader_reads_discontinuous_spans_and_every_annotator() -> None:
    (article,) = read_polnear(POLNEAR)
    assert sorted(article.annotations) == ["aaaa", "bbbb"]
    first = article.first_annotation
    assert len(first) == 3
    quote = first[1]
    assert quote.content is not None and len(quote.content.fragments) == 2
    assert [article.text[a:b] for a, b in quote.content.fragments] == ['"We have the votes,"', '"The rest is noise."']
    # the second annotator links the second fragment as Content2: the same content
    assert article.annotations["bbbb"][1].content.fragments == quote.content.fragments  # type: ignore[union-attr]


def test_polnear_reader_errors() -> None:
    with pytest.raises(PolnearFormatError, match="unknown span T9"):
        parse_ann("T1\tCue 0 4\tsaid\nE1\tCue:T1 Content:T9\n")
    with pytest.raises(PolnearFormatError, match="not a PolNeAR folder"):
        list(read_polnear(POLNEAR / "text"))


# --- scoring ------------------------------------------------------------------------------------------------


def test_polnear_scoring_counts_exact_and_overlap_matches() -> None:
    (article,) = read_polnear(POLNEAR)
    text, gold = article.text, article.annotations["aaaa"]
    said, told = text.index("said"), text.index("told")
    predicted = [
        Predicted(content=((34, 58),), cue=((said, said + 4),), source=((8, 18),)),  # source too short
        Predicted(content=((61, 81),), cue=((told, told + 4),), source=((82, 87),)),  # one fragment of two
    ]
    counts = PolnearCounts.empty()
    score_polnear_article(counts, text, gold, predicted, 1.0)
    assert (counts.exact["content"].tp_p, counts.exact["content"].predicted, counts.exact["content"].gold) == (1, 2, 3)
    assert (counts.exact["cue"].tp_p, counts.exact["cue"].gold) == (2, 3)
    assert counts.exact["source"].tp_p == 1
    # predicted "Jane Smith" + "Smith" of gold "Senator Jane Smith", "Smith", "party officials"
    source_overlap = counts.overlap["source"]
    assert (source_overlap.tp_p, source_overlap.predicted, source_overlap.gold) == (3, 3, 6)
    direct = counts.exact["content direct"]
    assert (direct.tp_p, direct.predicted, direct.gold) == (0, 1, 1)
    assert (counts.speaker_found, counts.speaker_right) == (1, 1)


def _quote(text: str, kind: str, start: int, end: int, **parts: Any) -> Quote:
    return Quote(
        kind=kind, start=start, end=end, text=text[start:end], content=Span.of(text, start, end),
        cue=parts.get("cue"), source=None, speaker=None, speaker_type=None, continues=parts.get("continues", False),
        evidence=Evidence(rule="test"),
    )


def test_polnear_view_restores_the_corpus_conventions(pipeline: Any) -> None:
    text = 'Smith said that the bill would pass. "We have it," he told them. "Really."'
    said = Span.of(text, 6, 10)
    that_clause = text.index("the bill")
    first, second = text.index("We have"), text.index("Really")
    quotes = [
        _quote(text, "indirect", that_clause, text.index(".")),
        _quote(text, "direct", first, first + len("We have it,"), cue=said),
        _quote(text, "direct", second, second + len("Really."), continues=True),
    ]
    view = polnear_view(quotes, pipeline.nlp(text))
    assert [text[a:b] for a, b in view[0].content] == ["that the bill would pass"]
    assert [text[a:b] for a, b in view[1].content] == ['"We have it,"', '"Really."']


def _parts(view: Any, text: str) -> list[tuple[str, str | None, str | None]]:
    return [
        (
            " ".join(text[a:b] for a, b in predicted.content),
            text[predicted.cue[0][0] : predicted.cue[0][1]] if predicted.cue else None,
            text[predicted.source[0][0] : predicted.source[0][1]] if predicted.source else None,
        )
        for predicted in view
    ]


def test_polnear_view_follows_the_cue_and_source_conventions(pipeline: Any) -> None:
    text = (
        "Sanders, a Vermont senator, declined to endorse the plan. Jones complained about the delays. "
        'Scott also added: "We are ready." Kall -- co-editor of a book about the campaign -- said that the race '
        "was far from over."
    )
    doc = pipeline.nlp(text)
    quotes = [
        Quote.model_validate(quote)
        for quote in pipeline.analyze(ingest_text(text, source="conventions", clean=False)).to_json()["quotes"]
    ]
    parts = _parts(polnear_view(quotes, doc), text)
    # an infinitive's "to" stays with the content; a preposition, an adverb before the verb and a colon join
    # the cue; an apposition's closing comma joins the source
    assert ("to endorse the plan", "declined", "Sanders, a Vermont senator,") in parts
    assert ("the delays", "complained about", "Jones") in parts
    assert ('"We are ready."', "also added:", "Scott") in parts
    # and so does the dash closing an aside, which the analyser leaves out
    assert ("that the race was far from over", "said", "Kall -- co-editor of a book about the campaign --") in parts


def test_verbs_the_tagger_missed_take_the_subject_they_share(pipeline: Any) -> None:
    from presslens.analysers.quotes.assemble import reported_clauses, sourceless
    from presslens.analysers.quotes.rules import verb_subject

    doc = pipeline.nlp("The mayor called on the council to act and said the city was ready, adding that it could wait.")
    said = next(token for token in doc if token.text == "said")
    adding = next(token for token in doc if token.text == "adding")
    subject = verb_subject(said)
    assert subject is not None and subject.text == "mayor"
    assert verb_subject(adding) == subject
    assert [doc[start:end].text for start, end in reported_clauses(doc, said)] == ["the city was ready"]
    assert [doc[start:end].text for start, end in reported_clauses(doc, adding)] == ["that it could wait"]
    answered = pipeline.nlp("The senator answered by saying that the bill was dead.")
    assert verb_subject(answered[4]) == answered[1]  # "saying" shares "senator"
    assert not sourceless(said)
    asked = pipeline.nlp("Trump was asked about the tapes, and Manafort seemed to agree.")
    assert sourceless(asked[2]) and sourceless(next(token for token in asked if token.text == "seemed"))


@pytest.mark.parametrize(
    ("text", "cue", "source"),
    [
        # a relative clause that reports is an attribution of its own, not part of the source
        ("Sen. Claire McCaskill, who has endorsed Clinton, said the plan would fail.", "said", "Sen. Claire McCaskill"),
        # the object of "according to" is the source, and not part of the content
        ("According to Sperry, the company has been moving migrants across the border.", "According to", "Sperry"),
        # the mention only: no dateline before it, no time or participle after it
        ("ORLANDO, Fla. (Reuters) - President Barack Obama on Sunday said that the shooting was an act of terror.",
         "said", "President Barack Obama"),
        ("Real estate mogul Donald Trump on Sunday said that he would not attend the debate.", "said",
         "Real estate mogul Donald Trump"),
        ("Nate Cohn, writing in The New York Times, said that the polls had been wrong for months.", "said",
         "Nate Cohn"),
        ("Powell’s office, when contacted by Reuters, said the former top diplomat could not recall the dinner.",
         "said", "Powell’s office"),
        # a subject the parser hung on the phrase before the verb
        ("In a statement to the Observer, her senior policy adviser, Jake Sullivan, said: “Hillary Clinton believes "
         "that transatlantic cooperation is essential.”", "said:", "her senior policy adviser, Jake Sullivan"),
        # a poll keeps its date (PolNeAR's convention), a name keeps its dashed description but not the closing dash
        ("A CNN/ORC poll last month found that most voters backed the plan.", "found", "A CNN/ORC poll last month"),
        ("Kall -- co-editor of a book about the campaign -- said that the race was far from over.", "said",
         "Kall -- co-editor of a book about the campaign"),
    ],
)
def test_source_boundaries(pipeline: Any, text: str, cue: str, source: str) -> None:
    quotes = pipeline.analyze(ingest_text(text, source="boundaries", clean=False)).to_json()["quotes"]
    assert [(quote["cue"]["text"], quote["source"]["text"]) for quote in quotes] == [(cue, source)]
    assert source not in quotes[0]["text"]


def test_the_object_of_according_to_does_not_run_on_into_the_subject(pipeline: Any) -> None:
    text = ("According to a national CNN/ORC poll released Monday, 31% of Republicans and Republican-leaning voters "
            'said they were "extremely enthusiastic" about voting.')
    quotes = pipeline.analyze(ingest_text(text, source="according", clean=False)).to_json()["quotes"]
    assert quotes and {quote["source"]["text"] for quote in quotes} == {"a national CNN/ORC poll released Monday"}


def test_a_finding_is_attributed_to_the_poll_it_is_in(pipeline: Any) -> None:
    def attributions(text: str) -> list[tuple[str, str, str]]:
        quotes = pipeline.analyze(ingest_text(text, source="poll", clean=False)).to_json()["quotes"]
        return [(quote["cue"]["text"], quote["source"]["text"], quote["text"]) for quote in quotes]

    assert attributions("In a Des Moines Register poll last month, Mr. Cruz had a 10 percentage-point lead.") == [
        ("In", "a Des Moines Register poll last month", "Mr. Cruz had a 10 percentage-point lead")
    ]
    assert attributions("But he fell to 10 percent in the latest CNN/ORC poll released Wednesday, a collapse driven "
                        "by a series of blunders.") == [
        ("in", "the latest CNN/ORC poll released Wednesday", "he fell to 10 percent")
    ]
    # a candidate's standing "in the polls" is no attribution
    assert attributions("Mr. Bush has struggled to gain traction and sits at single digits in the polls.") == []
    # the speaker is the poll as an analyst names it: no determiner, no time, written as in the text
    quotes = pipeline.analyze(ingest_text("But he fell to 10 percent in the latest CNN/ORC poll released Wednesday.",
                                          source="poll", clean=False)).to_json()["quotes"]
    assert [quote["speaker"] for quote in quotes] == ["latest CNN/ORC poll"]


def test_a_dateline_or_an_expletive_is_no_speaker(pipeline: Any) -> None:
    from presslens.analysers.quotes.analyser import _no_speaker

    dateline = pipeline.nlp("BEDFORD, N.H. — Marco Rubio’s uneven debate performance has emboldened his rivals.")
    assert _no_speaker(dateline[0:1]) and not _no_speaker(dateline[4:6])  # "Marco Rubio"
    acronym = pipeline.nlp("NATO, the alliance of 32 states, said it would respond.")
    assert not _no_speaker(acronym[0:1])
    expletive = pipeline.nlp("Officials said it is unclear whether the bill can pass.")
    assert _no_speaker(expletive[2:3]) and not _no_speaker(expletive[0:1])


def test_eval_task_scores_the_fixture_on_both_annotators() -> None:
    report = run_eval_task("quotes", POLNEAR, {})
    tables = {table.title: table.rows for table in report.tables}
    agreement = "annotator agreement (one annotator scored against another), and the systems on the same articles"
    assert set(tables) == {agreement, "exact match (presslens)", "token overlap (presslens)"}
    # the fixture's one article has both annotators, so the system scores the same on it as on the whole set
    assert tables[agreement]["cue exact (presslens)"] == tables["exact match (presslens)"]["cue"]
    rows = tables["exact match (presslens)"]
    assert {"content", "source", "cue", "content direct", "cue indirect"} <= set(rows)
    assert rows["content"].gold == 2.5  # 3 attributions by one annotator, 2 by the other, weighted 1/2
    assert tables["token overlap (presslens)"]["content direct"].f1 == 1.0
    assert rows["source"].recall == 1.0


def test_eval_task_scores_one_annotator_against_the_other() -> None:
    report = run_eval_task("quotes", POLNEAR, {"agreement": "only"})
    [table] = report.tables
    rows = table.rows
    assert set(rows) == {f"{role} {kind} (annotators)" for role in ("content", "source", "cue")
                         for kind in ("exact", "overlap")}  # no system ran
    # aaaa has three attributions, bbbb two of them; bbbb's content leaves out aaaa's "that" (one of two alike)
    assert rows["cue exact (annotators)"].f1 == pytest.approx(0.8)
    assert rows["source exact (annotators)"].f1 == pytest.approx(0.8)
    assert rows["content exact (annotators)"].f1 == pytest.approx(0.4)
    assert rows["cue exact (annotators)"].precision == rows["cue exact (annotators)"].recall  # both directions
    assert report.figures["articles with several annotators"] == 1
    assert "articles" not in report.figures  # no system ran
    with pytest.raises(ValueError, match="agreement='all'"):
        run_eval_task("quotes", POLNEAR, {"agreement": "all"})


def test_eval_task_scores_the_samples() -> None:
    report = run_eval_task("quotes", EXAMPLES, {})
    assert report.figures["gold quotes found with the right speaker (presslens)"] == "13 of 13"


def test_textacy_baseline_runs_side_by_side() -> None:
    pytest.importorskip("textacy")
    report = run_eval_task("quotes", POLNEAR, {"baseline": "textacy"})
    titles = [table.title for table in report.tables]
    assert "token overlap (textacy)" in titles
    assert report.figures["textacy failures (articles it raised on)"] == 0


def test_eval_task_rejects_unknown_data_and_baselines(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="neither a PolNeAR folder"):
        run_eval_task("quotes", tmp_path, {})
    with pytest.raises(ValueError, match="unknown baseline"):
        run_eval_task("quotes", POLNEAR, {"baseline": "spacy"})


def _attributions(pipeline: Any, text: str) -> list[tuple[str | None, str | None, str]]:
    quotes = pipeline.analyze(ingest_text(text, source="linking", clean=False)).to_json()["quotes"]
    return [((quote["cue"] or {}).get("text"), (quote["source"] or {}).get("text"), quote["text"]) for quote in quotes]


def test_a_quote_goes_to_the_cue_that_governs_it_not_to_its_closing_mark(pipeline: Any) -> None:
    # The parser hangs the closing mark on "endorsed": the quote's root is "demonstrated", under "saying".
    text = ("76-year-old Morton Blackwell, founder of the Leadership Institute, YAF member in the 1960s and long time "
            "Republican National Committeeman from Virginia, endorsed Cruz last week, saying he “has consistently "
            "demonstrated his deep commitment to conservative principles.”\n\n“Yes, I support Ted Cruz,” Brent Bozell "
            "III tells Breitbart News.")
    cues = {content: cue for cue, _, content in _attributions(pipeline, text)}
    assert cues["has consistently demonstrated his deep commitment to conservative principles."] == "saying"
    assert cues["Cruz"] == "endorsed"


def test_according_to_at_the_end_attributes_what_comes_before_it(pipeline: Any) -> None:
    text = ("The White House is now considering a Pentagon proposal to keep one base in Afghanistan, according to "
            "American military officials.")
    assert ("according to", "American military officials",
            "The White House is now considering a Pentagon proposal to keep one base in Afghanistan") in _attributions(
        pipeline, text)


def test_a_cue_with_a_source_but_no_clause_takes_its_object(pipeline: Any) -> None:
    text = ("At one point, a woman asked for a photo and Clinton said, “as long as we’re not violating any election "
            "laws.”")
    assert ("asked", "a woman", "for a photo") in _attributions(pipeline, text)
    # a place is not what is said: "Nate Cohn, writing in The New York Times, said …" has one attribution only
    assert [cue for cue, _, _ in _attributions(pipeline, "Nate Cohn, writing in The New York Times, said that the "
                                              "polls had been wrong for months.")] == ["said"]


def test_training_writes_a_model_the_tagger_loads(pipeline: Any, tmp_path: Path) -> None:
    import json

    from presslens.analysers.quotes.tagger import AttributionTagger, TrainingSettings, train_polnear

    settings = TrainingSettings(c1=0.05, max_iterations=50, min_feature_frequency=1, clusters=(4,), word_clusters=(16,))
    summary = train_polnear(POLNEAR, tmp_path, settings)
    assert summary["documents"] == 1 and summary["tokens"] > 30
    words = json.loads((tmp_path / "word_clusters.json").read_text(encoding="utf-8"))
    assert words["sizes"] == [16] and len(words["words"]) > 20_000 and "##s" not in words["words"]
    (article,) = read_polnear(POLNEAR)
    tagger = AttributionTagger(tmp_path)
    doc = pipeline.nlp(article.text)
    assert {span.role for span in tagger.tag(doc)} == {"source", "cue", "content"}  # learnt from that very article
    said = next(token for token in doc if token.lower_ == "said")
    assert f"v0={words['words']['said'][0]}" in tagger.extractor.sequences(doc)[0].features[said.i]


def test_a_purpose_clause_after_the_content_is_part_of_it(pipeline: Any) -> None:
    text = ("Behind closed doors, they – along with Zelensky’s own military leadership – have reportedly urged the "
            "president to withdraw, so that his country can focus on preparing a counteroffensive.")
    assert [content for _, _, content in _attributions(pipeline, text)] == [
        "the president to withdraw, so that his country can focus on preparing a counteroffensive"
    ]
    # the rule itself: a "because" clause is a reason the reporter may be giving, not the source's purpose
    from presslens.analysers.quotes.assemble import Group, take_purpose_clauses
    from presslens.analysers.quotes.tagger import TaggedSpan

    for clause, content in (("so that the army can regroup", "the president to withdraw, so that the army can regroup"),
                            ("because the town was lost", "the president to withdraw")):
        doc = pipeline.nlp(f"Officials urged the president to withdraw, {clause}.")
        group = Group(cue=TaggedSpan("cue", 1, 2, 1.0), contents=[TaggedSpan("content", 2, 6, 1.0)])
        take_purpose_clauses(doc, [group], set())
        assert doc[group.contents[0].start : group.contents[0].end].text == content


def test_the_feature_tables_read_from_arrays_match_the_tokens(pipeline: Any, sample_path: Path) -> None:
    from presslens.analysers.quotes.features import _Parse, paragraph_token_ranges, sentence_bounds

    doc = pipeline.nlp(sample_path.read_text(encoding="utf-8"))
    parse = _Parse(doc)
    assert parse.head == [token.head.i for token in doc]  # heads before a token are negative offsets
    assert parse.text == [token.text for token in doc] and parse.lemma == [token.lemma_.lower() for token in doc]
    assert parse.pos == [token.pos_ for token in doc] and parse.dep == [token.dep_ for token in doc]
    assert parse.ent_type == [token.ent_type_ for token in doc] and parse.ent_iob == [token.ent_iob_ for token in doc]
    assert sentence_bounds(doc) == [(sentence.start, sentence.end) for sentence in doc.sents]
    paragraphs = paragraph_token_ranges(doc)
    assert len(paragraphs) == doc.text.strip().count("\n\n") + 1
    assert paragraph_token_ranges(doc) is paragraphs  # computed once per doc


def test_the_shipped_word_clusters_group_reporting_verbs_and_the_features_carry_them(pipeline: Any) -> None:
    from presslens.analysers.quotes.tagger import AttributionTagger

    extractor = AttributionTagger().extractor
    clusters = extractor.word_clusters
    # the fine clustering: "stated" and "explained" beside "said", a word the training data hardly has as a cue
    assert clusters["stated"][1] == clusters["said"][1] == clusters["explained"][1]
    assert clusters["banana"][1] != clusters["said"][1] and clusters["lauded"][1] == clusters["praised"][1]
    doc = pipeline.nlp("Zelensky lauded the troops, aides said.")
    features = {token.text: extractor.sequences(doc)[0].features[token.i] for token in doc}
    assert set(clusters["lauded"]) <= set(features["lauded"])  # its own clusters
    assert {f"-1:{name}" for name in clusters["lauded"]} <= set(features["the"])  # and its next neighbours
    said = [f"hnsubj|{name}" for name in clusters["said"]]  # the subject of "said" sees its head's clusters
    assert set(said) <= set(features["aides"])
    assert not [f for f in features["Zelensky"] if f.startswith("v")]  # not a word of the encoder's vocabulary


def test_a_headline_labelled_with_a_name_is_what_that_name_said(pipeline: Any) -> None:
    def headline(title: str) -> list[tuple[str | None, str | None, str]]:
        return _attributions(pipeline, f"{title}\n\nThe senator spoke to reporters in Des Moines on Tuesday.")

    assert headline("Marco Rubio: I’m Not Interested In Being Vice President.") == [
        (":", "Marco Rubio", "I’m Not Interested In Being Vice President")
    ]
    assert headline("Poll: Trump and Clinton hold narrow leads in Pennsylvania.") == [
        (":", "Poll", "Trump and Clinton hold narrow leads in Pennsylvania")
    ]
    assert headline("EXCLUSIVE – Roger Stone: Don’t Trust the Voting Machines.") == [
        (":", "Roger Stone", "Don’t Trust the Voting Machines")
    ]
    # kickers and topics are nobody speaking
    for title in ("BREAKING: Senate Passes The Budget Bill", "The Latest: Cruz to give away engraved shotgun.",
                  "Netanyahu and Obama: A tortured relationship"):
        assert all(source not in title.split(":")[0] for _, source, _ in headline(title) if source), title


def test_a_quotation_paragraph_takes_the_verb_introducing_it_in_the_paragraph_before(pipeline: Any) -> None:
    text = ("Voters in Terre Haute were split.\n\n17-year-old Jared Potts echoed:\n\n“He speaks his mind, and I think "
            "that might be what the country needs.”")
    quotes = pipeline.analyze(ingest_text(text, source="intro", clean=False)).to_json()["quotes"]
    assert [(quote["cue"]["text"], quote["source"]["text"], quote["speaker"]) for quote in quotes] == [
        ("echoed", "17-year-old Jared Potts", "Jared Potts")
    ]
    assert quotes[0]["evidence"]["rule"] == "quotation introduced by the paragraph before"
    # a colon after a verb that does not report introduces no speaker
    text = "The trouble starts when you read what the mayor posted on Sunday:\n\n“We will never close the plant.”"
    quotes = pipeline.analyze(ingest_text(text, source="intro", clean=False)).to_json()["quotes"]
    assert all(not (quote["source"] or {}).get("text", "").startswith("The trouble") for quote in quotes)
