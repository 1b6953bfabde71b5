"""The Java -> Python/ECMA translation keeps Java's whole-value semantics on edge strings."""

from __future__ import annotations

import re

import pytest

from spec.patterns import UnsupportedPattern, ecma_search, python_from_ecma, translate

ENDPOINT = "^[a-zA-Z0-9](-*[a-zA-Z0-9])*"
ASCII = r"\p{ASCII}*"
INFERENCE_ID = r"\A\S[\p{Print}]*\z"
INPUT_LOCATION = "^(https|s3)://([^/]+)/?(.*)$"
EXTENSION = "^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$"
FILENAME = r"^(?!.*\..*\.)[a-zA-Z0-9][a-zA-Z0-9-_\.]*$"

# (java pattern, value, what java.util.regex Matcher.matches() answers)
CASES = [
    (ENDPOINT, "a", True),
    (ENDPOINT, "a--b", True),
    (ENDPOINT, "a_b", False),  # no $ in the model, yet AWS matches the whole value
    (ENDPOINT, "-a", False),
    (ENDPOINT, "a-", False),
    (ENDPOINT, "", False),
    (ENDPOINT, "a\n", False),
    (ASCII, "", True),
    (ASCII, "\x00\x7f", True),
    (ASCII, "text/csv\n", True),  # \n is ASCII
    (ASCII, "caf\u00e9", False),
    (INFERENCE_ID, "a", True),
    (INFERENCE_ID, "\u00e9", True),  # Java's \S is ASCII-only: a non-ASCII first char passes
    (INFERENCE_ID, "\u00a0x", True),  # NBSP is not Java white space
    (INFERENCE_ID, " a", False),
    (INFERENCE_ID, "\x0ba", False),  # vertical tab is Java white space
    (INFERENCE_ID, "a b", True),
    (INFERENCE_ID, "a\tb", False),  # tab is not \p{Print}
    (INFERENCE_ID, "ab\u00e9", False),
    (INFERENCE_ID, "ab\n", False),  # \z: no final-newline allowance
    (INFERENCE_ID, "", False),
    (INPUT_LOCATION, "s3://b", True),
    (INPUT_LOCATION, "s3://b/", True),
    (INPUT_LOCATION, "https://b.s3.amazonaws.com/k/x y", True),
    (INPUT_LOCATION, "S3://b/k", False),
    (INPUT_LOCATION, "s3:///k", False),
    (INPUT_LOCATION, "s3://b/k\n", False),  # Java's . and matches() reject the newline
    (INPUT_LOCATION, "s3://b/k\u2028", False),  # a Java line terminator
    (INPUT_LOCATION, "s3://b/k\u0085", False),
    (INPUT_LOCATION, "s3://b\n/k", True),  # [^/] takes a newline
    (EXTENSION, "a/b", True),
    (EXTENSION, "s3:x", False),
    (EXTENSION, "s3x", True),
    (EXTENSION, "a-b", True),
    (EXTENSION, "", False),
    (EXTENSION, "a\n", False),
    (FILENAME, "a.b", True),
    (FILENAME, "a.b.c", False),
    (FILENAME, "a-b_c", True),
    (FILENAME, "_a", False),
    (FILENAME, "a..", False),
    (FILENAME, "a\n", False),
]


@pytest.mark.parametrize(("java", "value", "expected"), CASES)
def test_translation_keeps_java_semantics(java: str, value: str, expected: bool) -> None:
    pattern = translate(java)
    assert pattern.fullmatch(value) is expected
    assert (re.search(pattern.python, value) is not None) is expected
    assert ecma_search(pattern.ecma, value) is expected


@pytest.mark.parametrize(("java", "value", "expected"), CASES)
def test_ecma_spelling_agrees_in_an_ecma_engine(java: str, value: str, expected: bool) -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": translate(java).ecma})
    assert validator.is_valid(value) is expected


def test_spellings() -> None:
    pattern = translate(INFERENCE_ID)
    assert pattern.ecma == r"^[^ \t\n\x0B\f\r][\x20-\x7E]*$"
    assert pattern.python == python_from_ecma(pattern.ecma)
    assert translate(FILENAME).ecma.endswith(r"[a-zA-Z0-9\-_\.]*$")  # '-' escaped for ECMA u-mode
    assert translate("a|b").ecma == "^(?:a|b)$"


@pytest.mark.parametrize(
    "java", [r"\p{L}", "a*+", "(?i)a", "[a&&b]", r"\Qa\E", "a$b", r"\bword", "(a"]
)
def test_unsupported_syntax_fails_loudly(java: str) -> None:
    with pytest.raises(UnsupportedPattern, match="model pattern"):
        translate(java)
