"""Latin spellings of Ukrainian and Russian Cyrillic names, derived by rule.

Three systems, each a table plus the positional rules that make it a system:

- :func:`ukrainian_national`: Ukraine's national system, Cabinet of Ministers resolution No. 55 of 27 January 2010
  (Kyiv, Kharkiv, Zaporizhzhia, Volodymyr Zelenskyi); also adopted by BGN/PCGN in 2019.
- :func:`russian_bgn_pcgn`: the BGN/PCGN 1947 system for Russian, without its apostrophes for the soft and hard
  signs (Kiyev, Khar'kov -> Kharkov, Zelenskiy, Artëmovsk -> Artyomovsk).
- :func:`latin_spellings`: every spelling the English-language press derives from a name in one language: the
  system's form plus the common simplifications (Zelenskyy and Zelensky from Ukrainian; Kiev, Zelensky, Pyotr,
  Artemovsk, Alexander from Russian).

:func:`spelling_origins` answers the question the knowledge base needs: is this Latin spelling derived from the
Ukrainian original, the Russian one, or both (a neutral press spelling such as "Zelensky")?
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import product
from typing import Literal

Language = Literal["uk", "ru"]

#: Upper bound on spellings generated for one name (the product of every ambiguous letter grows fast).
MAX_SPELLINGS = 96

_APOSTROPHES = "'’ʼ`"
_WORD = re.compile(r"[^\s\-]+|[\s\-]+")

# Ukrainian national system (CMU resolution 55, 2010): letter -> (word-initial form, elsewhere form).
_UK_NATIONAL: dict[str, tuple[str, str]] = {
    "а": ("a", "a"), "б": ("b", "b"), "в": ("v", "v"), "г": ("h", "h"), "ґ": ("g", "g"), "д": ("d", "d"),
    "е": ("e", "e"), "є": ("ye", "ie"), "ж": ("zh", "zh"), "з": ("z", "z"), "и": ("y", "y"), "і": ("i", "i"),
    "ї": ("yi", "i"), "й": ("y", "i"), "к": ("k", "k"), "л": ("l", "l"), "м": ("m", "m"), "н": ("n", "n"),
    "о": ("o", "o"), "п": ("p", "p"), "р": ("r", "r"), "с": ("s", "s"), "т": ("t", "t"), "у": ("u", "u"),
    "ф": ("f", "f"), "х": ("kh", "kh"), "ц": ("ts", "ts"), "ч": ("ch", "ch"), "ш": ("sh", "sh"),
    "щ": ("shch", "shch"), "ь": ("", ""), "ю": ("yu", "iu"), "я": ("ya", "ia"),
}

# Russian BGN/PCGN (1947), soft and hard signs dropped.
_RU_BGN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}
_RU_VOWELS = set("аеёиоуыэюя")
_UK_VOWELS = set("аеєиіїоуюя")
_RU_SIBILANTS = set("жшчщ")
# Anglicised given names the press uses for some Russian originals (a whole-word form, not a letter rule).
_RU_ANGLICISED: dict[str, tuple[str, ...]] = {
    "александр": ("alexander",),
    "алексей": ("alexei", "alexey"),
    "василий": ("vassily",),
}


def _cased(latin: str, model: str) -> str:
    """``latin`` with the case of the Cyrillic word ``model``: Title for Title, UPPER for UPPER (2+ letters)."""
    if len(model) > 1 and model.isupper():
        return latin.upper()
    if model[:1].isupper():
        return latin[:1].upper() + latin[1:]
    return latin


def _ukrainian_options(word: str) -> list[tuple[str, ...]]:
    """Per-letter alternatives for one lower-case Ukrainian word: the national form first, then press forms."""
    options: list[tuple[str, ...]] = []
    letters = [ch for ch in word if ch not in _APOSTROPHES]
    index = 0
    while index < len(letters):
        ch = letters[index]
        nxt = letters[index + 1] if index + 1 < len(letters) else ""
        initial = index == 0
        last_pair = index == len(letters) - 2
        if ch == "з" and nxt == "г":  # national rule: зг -> zgh, so that it is not read as "zh"
            options.append(("zgh",))
            index += 2
            continue
        if ch == "ж" and nxt == "ж":  # Zaporizhzhia, press: Zaporizhia
            options.append(("zhzh", "zh"))
            index += 2
            continue
        if ch == "и" and nxt == "й" and last_pair:  # Zelenskyi / Zelenskyy / Zelenskiy / Zelensky
            options.append(("yi", "yy", "iy", "y"))
            index += 2
            continue
        if ch == "і" and nxt == "я" and last_pair:  # Yevpatoriia / Yevpatoriya / Yevpatoria
            options.append(("iia", "iya", "ia"))
            index += 2
            continue
        if ch not in _UK_NATIONAL:
            options.append((ch,))
        elif initial:
            options.append((_UK_NATIONAL[ch][0],))
        elif ch == "є":
            options.append(("ie", "ye"))
        elif ch == "ї":
            options.append(("i", "yi"))
        elif ch == "й":
            options.append(("i", "y"))
        elif ch == "ю":
            options.append(("iu", "yu"))
        elif ch == "я":
            options.append(("ia", "ya"))
        else:
            options.append((_UK_NATIONAL[ch][1],))
        index += 1
    return options


def _russian_options(word: str) -> list[tuple[str, ...]]:
    """Per-letter alternatives for one lower-case Russian word: the BGN/PCGN form first, then press forms."""
    options: list[tuple[str, ...]] = []
    letters = [ch for ch in word if ch not in _APOSTROPHES]
    previous = ""
    index = 0
    while index < len(letters):
        ch = letters[index]
        nxt = letters[index + 1] if index + 1 < len(letters) else ""
        last_pair = index == len(letters) - 2
        iotated = index == 0 or previous in _RU_VOWELS or previous in "ъьй"
        if ch in "иы" and nxt == "й" and last_pair:  # Zelenskiy / Zelensky / Dmitri; Krasnyy / Krasny
            options.append(("iy", "y", "i") if ch == "и" else ("yy", "y"))
            index += 2
            continue
        if ch == "и" and nxt == "я":  # Mariya / Maria, Yevpatoriya / Evpatoria
            options.append(("iya", "ia"))
            index += 2
            previous = "я"
            continue
        if ch == "к" and nxt == "с":  # Aleksandr / Alexandr
            options.append(("ks", "x"))
            index += 2
            previous = "с"
            continue
        if ch == "е":
            options.append(("ye", "e") if iotated else ("e",))
        elif ch == "ё":
            if previous in _RU_SIBILANTS:
                options.append(("o", "e"))
            else:
                options.append(("yo", "ye") if iotated else ("yo", "e"))
        elif ch == "й":
            options.append(("y", "i"))
        elif ch == "ю":
            options.append(("yu",) if iotated else ("yu", "iu"))
        elif ch == "я":
            options.append(("ya",) if iotated else ("ya", "ia"))
        else:
            options.append((_RU_BGN.get(ch, ch),))
        previous = ch
        index += 1
    return options


def _expand(options: list[tuple[str, ...]], limit: int) -> list[str]:
    """The cartesian product of per-letter options, first option first, at most ``limit`` strings."""
    spellings: list[str] = []
    for combination in product(*options):
        spellings.append("".join(combination))
        if len(spellings) >= limit:
            break
    return spellings


def _word_spellings(word: str, language: Language) -> list[str]:
    lower = word.lower()
    options = _ukrainian_options(lower) if language == "uk" else _russian_options(lower)
    spellings = _expand(options, MAX_SPELLINGS)
    if language == "ru":
        spellings += [form for form in _RU_ANGLICISED.get(lower, ()) if form not in spellings]
    return [_cased(spelling, word) for spelling in spellings]


def _name_spellings(name: str, language: Language) -> list[str]:
    parts = _WORD.findall(name)
    per_part = [_word_spellings(part, language) if part.strip(" -") else [part] for part in parts]
    return _expand([tuple(options) for options in per_part], MAX_SPELLINGS)


def ukrainian_national(name: str) -> str:
    """The national-system (2010) romanisation of a Ukrainian name: Київ -> Kyiv, Запоріжжя -> Zaporizhzhia."""
    return _name_spellings(name, "uk")[0]


def russian_bgn_pcgn(name: str) -> str:
    """The BGN/PCGN romanisation of a Russian name, without apostrophes: Киев -> Kiyev, Артёмовск -> Artëmovsk."""
    parts = _WORD.findall(name)
    out = []
    for part in parts:
        if not part.strip(" -"):
            out.append(part)
            continue
        lower = [ch for ch in part.lower() if ch not in _APOSTROPHES]
        letters = []
        previous = ""
        for index, ch in enumerate(lower):
            iotated = index == 0 or previous in _RU_VOWELS or previous in "ъьй"
            if ch == "е":
                letters.append("ye" if iotated else "e")
            elif ch == "ё":
                letters.append("yë" if iotated else "ë")
            else:
                letters.append(_RU_BGN.get(ch, ch))
            previous = ch
        out.append(_cased("".join(letters), part))
    return "".join(out)


def latin_spellings(name: str, language: Language) -> list[str]:
    """Every spelling the press derives from a Cyrillic ``name`` in ``language``, the standard system's first.

    >>> latin_spellings("Київ", "uk")[:2]
    ['Kyiv', 'Kyyiv']
    >>> "Kiev" in latin_spellings("Киев", "ru")
    True
    """
    spellings = _name_spellings(name, language)
    if language == "ru":
        standard = russian_bgn_pcgn(name).replace("ë", "e").replace("Ë", "E")
        if standard not in spellings:
            spellings.insert(0, standard)
    return list(dict.fromkeys(spellings))


def spelling_origins(latin: str, originals: dict[Language, Iterable[str]]) -> frozenset[Language]:
    """The languages whose original(s) the press spelling ``latin`` derives from (case-insensitive).

    ``originals`` maps a language to its Cyrillic forms of one name. An empty result means the spelling is not
    a romanisation of any of them (a German exonym, a translation, a typo).
    """
    wanted = latin.casefold()
    return frozenset(
        language
        for language, names in originals.items()
        if any(wanted == spelling.casefold() for name in names for spelling in latin_spellings(name, language))
    )


def is_cyrillic(text: str) -> bool:
    """True when ``text`` is written in Cyrillic (at least one Cyrillic letter and no Latin letter)."""
    has_cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in text)
    return has_cyrillic and not any("a" <= ch.lower() <= "z" for ch in text)
