"""One way to put user-facing text into a language: a catalogue of keys, one text per key per language.

Every word a page, a legend, an export's documentation or a layer shows with a
choice of language is looked up here with `text(key, lang, **values)`; there is
no other way to choose between Chinese and English. The interface's own words
are the catalogue's (gridgov.catalogue); a layer adds the words of its name,
properties and legend as it registers (`add`), so its words stay beside it and
every key still lives in this one namespace. Placeholders are `str.format`
fields, named alike in every language (tests/test_translations.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from gridgov.catalogue import WORDS

DEFAULT_LANGUAGE = "zh"
LANGUAGES = ("zh", "en")

CATALOGUE: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}


def add(words: Mapping[str, Mapping[str, str]]) -> None:
    """Add an area's words: the same keys in every language, none of them already another text's."""
    if set(words) != set(LANGUAGES):
        raise ValueError(f"the words must be given in {', '.join(LANGUAGES)}, not {', '.join(words)}")
    keys = set(words[DEFAULT_LANGUAGE])
    for lang, strings in words.items():
        if set(strings) != keys:
            raise ValueError(f"the {lang} words have other keys: {sorted(set(strings) ^ keys)}")
        taken = [k for k, s in strings.items() if CATALOGUE[lang].get(k, s) != s]
        if taken:
            raise ValueError(f"these keys already have another {lang} text: {taken}")
    for lang, strings in words.items():
        CATALOGUE[lang].update(strings)


def text(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text `key` in `lang` (an unknown language: the default one), formatted with `values`."""
    strings = CATALOGUE.get(lang, CATALOGUE[DEFAULT_LANGUAGE])
    template = strings.get(key, CATALOGUE[DEFAULT_LANGUAGE][key])
    return template.format(**values) if values else template


add(WORDS)
