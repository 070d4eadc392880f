"""Word analysis: tokens, stems, edit distance, typo correction and phrase matching."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.text_analysis import Analyzer, PhraseMatcher, phrase, split_words, stem, within_one_edit


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Don't use Django's admin!", ["dont", "use", "djangos", "admin"]),
        ("real-time e-commerce", ["real", "time", "e", "commerce"]),
        ("ASP.NET or C#?", ["asp.net", "or", "c#"]),
        ("", []),
    ],
)
def test_terms_split_words(text: str, words: list[str]) -> None:
    assert split_words(text) == words


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("apis", "api"),
        ("libraries", "library"),
        ("classes", "class"),
        ("status", "status"),
        ("included", "includ"),
        ("include", "includ"),
        ("running", "run"),
        ("djangos", "django"),
        ("need", "need"),
        ("install", "install"),
        ("async", "async"),
    ],
)
def test_terms_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ("django", "djnago", True),
        ("flask", "flsk", True),
        ("flask", "flaskk", True),
        ("flask", "flisk", True),
        ("django", "dajngo", True),
        ("django", "dnajgo", False),
        ("flask", "fla", False),
        ("same", "same", True),
    ],
)
def test_terms_within_one_edit(a: str, b: str, close: bool) -> None:
    assert within_one_edit(a, b) is close
    assert within_one_edit(b, a) is close


@pytest.fixture
def analyzer() -> Analyzer:
    """An analyzer over a small vocabulary."""
    return Analyzer(["django", "flask", "fastapi", "admin", "form"], keep=["from"])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("djnago or flsk", ["django", "or", "flask"]),
        ("fastpai admn", ["fastapi", "admin"]),
        ("from a form", ["from", "a", "form"]),
        ("zzzz", ["zzzz"]),
    ],
)
def test_terms_analyzer_corrects_known_terms_only(analyzer: Analyzer, text: str, words: list[str]) -> None:
    assert analyzer.words(text) == words


def test_terms_phrase_matcher_finds_longest_first() -> None:
    matcher = PhraseMatcher([(phrase("admin"), "short"), (phrase("admin panel"), "long")])
    found = matcher.find(phrase("an admin panel please"))
    assert [(m.payload, m.start, m.end) for m in found] == [("long", 1, 3), ("short", 1, 2)]
    assert not matcher.any_in(phrase("nothing here"))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("which fw", ["which", "framework"]),
        ("rps matters", ["request", "per", "second", "matter"]),
        ("FW admn", ["framework", "admin"]),
    ],
)
def test_terms_analyzer_spells_out_shorthand(text: str, words: list[str]) -> None:
    analyzer = Analyzer(["admin"], shorthand={"fw": "framework", "rps": "requests per second"})
    assert analyzer.words(text) == words


def test_terms_analyzer_never_corrects_into_a_kept_word() -> None:
    # "fastpai" is one edit from both; a kept word is only protected, never a target
    analyzer = Analyzer(["fastapi"], keep=["fastai"])
    assert analyzer.words("fastpai fastai") == ["fastapi", "fastai"]


@settings(max_examples=100)
@given(text=st.text(max_size=200))
def test_terms_analyzer_shorthand_output_is_normalised(text: str) -> None:
    analyzer = Analyzer(["framework"], shorthand={"fw": "framework", "u": "you"})
    assert all(word and word == word.lower() for word in analyzer.words(text))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("edit every record", [("edit record", 0, 3)]),
        ("edit the records", [("edit record", 0, 3)]),
        ("edit record", [("edit record", 0, 2)]),
        ("the edit record", [("edit record", 1, 3)]),
        ("edit every single record", []),
        ("edit every", []),
    ],
)
def test_terms_phrase_matcher_passes_over_one_filler_inside_a_phrase(
    text: str, found: list[tuple[str, int, int]]
) -> None:
    matcher = PhraseMatcher([(phrase("edit record"), "edit record")], skippable={"every", "the"})
    assert [(m.payload, m.start, m.end) for m in matcher.find(phrase(text))] == found
