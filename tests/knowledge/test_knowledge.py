"""The compiled knowledge base: coverage of the Russia-Ukraine war and other domains, schema, ruler patterns."""

from __future__ import annotations

import pytest

from presslens import knowledge
from presslens.knowledge import build


def variant(entity_id: str, name: str) -> knowledge.Variant:
    matches = [v for v in knowledge.entities()[entity_id].variants if v.name == name]
    assert matches, f"{entity_id} has no variant {name!r}"
    return matches[0]


def test_every_entity_has_a_source_and_known_conventions():
    conventions = knowledge.conventions()
    for entity in knowledge.entities().values():
        assert entity.sources and all(source.strip() for source in entity.sources), entity.id
        for item in entity.variants:
            used = [item.convention] if item.convention else list((item.by_agent or {}).values())
            assert used and all(convention in conventions for convention in used), (entity.id, item.name)


def test_variants_are_tagged_by_the_original_they_derive_from():
    assert variant("kyiv", "Kyiv").convention == "ukrainian-official"
    assert variant("kyiv", "Kiev").convention == "russian-transliteration"
    assert variant("kharkiv", "Kharkov").language == "ru"
    assert variant("volodymyr-zelenskyy", "Vladimir Zelensky").convention == "russian-transliteration"
    assert variant("volodymyr-zelenskyy", "Zelensky").convention == "neutral-english"  # both sides spell it so
    assert variant("petro-poroshenko", "Pyotr Poroshenko").convention == "russian-transliteration"
    assert variant("vitali-klitschko", "Vitali Klitschko").convention == "neutral-english"  # his own spelling


def test_the_2016_renamings_carry_their_official_years():
    artyomovsk = variant("bakhmut", "Artyomovsk")
    assert (artyomovsk.convention, artyomovsk.official) == ("soviet-era", "1924-2016")
    assert variant("bakhmut", "Bakhmut").official == "2016-"
    assert variant("dnipro", "Dnepropetrovsk").convention == "soviet-era"
    assert variant("kropyvnytskyi", "Kirovograd").convention == "soviet-era"
    # the oblasts kept their names: Dnipropetrovsk Oblast is still the official name
    assert variant("dnipropetrovsk-oblast", "Dnipropetrovsk Oblast").convention == "ukrainian-official"


def test_every_oblast_and_crimea_are_covered():
    oblasts = [entity for entity in knowledge.entities().values() if entity.id.endswith("-oblast")]
    assert len(oblasts) == 24
    assert knowledge.find_entity("Crimea") is not None
    assert variant("crimea", "Republic of Crimea").convention == "self-designation"


def test_every_ukrainian_city_over_50000_people_in_geonames_is_covered():
    settings = build.load_sources(build.package_folder() / "sources")["russia-ukraine"].geonames
    excluded = {int(key) for key in settings["exclude"]}
    ids = {entity.geonameid for entity in knowledge.entities().values() if entity.geonameid}
    cities = [
        city for city in build.geonames_cities(15000).values()
        if city["countrycode"] == "UA" and int(city["population"]) >= 50000
        and int(city["geonameid"]) not in excluded and int(city["geonameid"]) < settings["districts_from_id"]
    ]
    assert len(cities) > 80
    assert [city["name"] for city in cities if int(city["geonameid"]) not in ids] == []


def test_other_domains_share_the_format():
    assert {"north-macedonia", "myanmar", "persian-gulf", "falklands", "west-bank"} <= {
        domain.domain for domain in knowledge.domains()
    }
    assert variant("myanmar", "Burma").convention == "former-name"
    assert variant("north-macedonia", "FYROM").convention == "greek-usage"
    domain = knowledge.domain_of()["myanmar"]
    assert domain.perspective("former-name") == "Burmese-opposition and US-government"


def test_uncontested_entities_give_no_finding():
    assert not knowledge.entities()["vladimir-putin"].contested
    assert not knowledge.entities()["sumy"].contested  # Суми / Сумы: Sumy either way
    assert knowledge.entities()["kyiv"].contested


def test_find_entity_accepts_ids_canonical_names_and_aliases():
    assert knowledge.find_entity("Volodymyr Zelenskyy").id == "volodymyr-zelenskyy"
    assert knowledge.find_entity("Russian invasion of Ukraine (February 2022)").id == "russian-invasion"
    assert knowledge.find_entity("no such thing") is None


def test_ruler_patterns_leave_ambiguous_variants_to_the_analyser():
    patterns = {(p["pattern"], p["id"]) for p in knowledge.entity_patterns()}
    assert ("Kiev", "kyiv") in patterns
    assert ("Donetsk and Lugansk People’s Republics", "dpr-lpr") in patterns  # both apostrophes
    assert ("Odessa", "odesa") not in patterns  # also a Texas city: needs context
    assert ("the Ukraine", "ukraine") not in patterns  # "the Ukraine crisis" is no naming choice
    assert all(p["label"] for p in knowledge.entity_patterns())


@pytest.mark.slow
def test_the_committed_data_is_what_the_sources_and_geonames_produce():
    built, _ = build.build_all()
    data = build.package_folder() / "data"
    for name, domain in built.items():
        assert (data / f"{name}.json").read_text(encoding="utf-8") == build.serialise(domain), (
            f"data/{name}.json is stale: run python -m presslens.knowledge.build"
        )
