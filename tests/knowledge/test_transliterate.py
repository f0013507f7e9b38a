"""The romanisation systems the knowledge base derives its variants from."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from presslens.knowledge.transliterate import (
    MAX_SPELLINGS,
    latin_spellings,
    russian_bgn_pcgn,
    spelling_origins,
    ukrainian_national,
)


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Київ", "Kyiv"),
        ("Харків", "Kharkiv"),
        ("Запоріжжя", "Zaporizhzhia"),
        ("Згурський", "Zghurskyi"),  # зг -> zgh, so that it is not read as zh
        ("Єнакієве", "Yenakiieve"),  # є: ye at the start of a word, ie inside it
        ("Їжакевич", "Yizhakevych"),  # ї: yi at the start
        ("Юрій", "Yurii"),  # ю: yu at the start; й: i inside
        ("Кам'янське", "Kamianske"),  # the apostrophe is not romanised
        ("Івано-Франківськ", "Ivano-Frankivsk"),  # each part of a hyphenated name is a word
        ("Володимир Зеленський", "Volodymyr Zelenskyi"),
    ],
)
def test_ukrainian_national_system_2010(cyrillic, latin):
    assert ukrainian_national(cyrillic) == latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Киев", "Kiyev"),  # е after a vowel is ye
        ("Елена", "Yelena"),  # and at the start of a word
        ("Артёмовск", "Artëmovsk"),
        ("Харьков", "Kharkov"),  # the soft sign is dropped
        ("Зеленский", "Zelenskiy"),
    ],
)
def test_russian_bgn_pcgn(cyrillic, latin):
    assert russian_bgn_pcgn(cyrillic) == latin


def test_press_spellings_are_derived_from_each_original():
    assert {"Kiev", "Kiyev"} <= set(latin_spellings("Киев", "ru"))
    assert {"Artyomovsk", "Artemovsk"} <= set(latin_spellings("Артёмовск", "ru"))
    assert {"Zelenskyy", "Zelenskiy", "Zelensky"} <= set(latin_spellings("Зеленський", "uk"))
    assert "Alexander" in latin_spellings("Александр", "ru")
    assert "Kiev" not in latin_spellings("Київ", "uk")


def test_spelling_origins_tell_a_side_from_a_shared_press_spelling():
    zelensky = {"uk": ["Зеленський"], "ru": ["Зеленский"]}
    assert spelling_origins("Zelenskyy", zelensky) == {"uk"}
    assert spelling_origins("Zelensky", zelensky) == {"uk", "ru"}
    assert spelling_origins("Zelenski", zelensky) == {"ru"}
    assert spelling_origins("Selenskyj", zelensky) == frozenset()  # German: not a romanisation of either


@given(st.text(alphabet="абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'", min_size=1, max_size=30))
def test_any_ukrainian_word_romanises_to_ascii(word):
    latin = ukrainian_national(word)
    assert latin.isascii()
    assert all(spelling.isascii() for spelling in latin_spellings(word, "uk"))


def test_spellings_are_bounded_for_long_names():
    assert len(latin_spellings("Євгенія Юліївна Ястремська-Янковська", "uk")) <= MAX_SPELLINGS
