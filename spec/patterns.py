"""Translate the service model's Java regular expressions for Python and ECMA-262.

The AWS model writes its ``pattern`` constraints in ``java.util.regex`` syntax
and AWS validates a value by matching the *whole* value (``Matcher.matches()``;
``EndpointName``'s pattern has no ``$`` yet ``a_b`` is rejected). Python's ``re``
and ECMA-262 (the dialect of JSON Schema and OpenAPI) differ from Java in ways
that matter at the edges, so the translation rewrites them explicitly:

- POSIX classes: ``\\p{ASCII}`` = ``[\\x00-\\x7F]``, ``\\p{Print}`` = ``[\\x20-\\x7E]``, ...
- ``\\s``/``\\S``/``\\d``/``\\w`` are ASCII-only in Java, Unicode-aware in Python
  and ECMA: they become explicit ASCII classes.
- ``.`` excludes Java's line terminators (``\\n \\r \\u0085 \\u2028 \\u2029``).
- ``\\A``, ``\\z``, leading ``^`` and trailing ``$`` become one anchoring of the
  whole pattern: ``^...$`` for ECMA (where ``$`` is the end of input) and
  ``\\A...\\Z`` for Python (where ``$`` would also match before a final newline).
- A literal ``-`` in a character class is escaped (``[0-9-_]`` is an error in
  ECMA's ``u`` mode).

Anything outside this subset raises ``UnsupportedPattern`` instead of being
guessed at: a new model pattern then fails the generator loudly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

LINE_TERMINATORS = r"\n\r\u0085\u2028\u2029"
JAVA_WHITESPACE = r" \t\n\x0B\f\r"

# POSIX character classes (US-ASCII only), as class contents.
POSIX_CLASSES: dict[str, str] = {
    "ASCII": r"\x00-\x7F",
    "Print": r"\x20-\x7E",
    "Graph": r"\x21-\x7E",
    "Alpha": r"a-zA-Z",
    "Digit": r"0-9",
    "Alnum": r"a-zA-Z0-9",
    "Lower": r"a-z",
    "Upper": r"A-Z",
    "Space": JAVA_WHITESPACE,
    "Blank": r" \t",
    "Cntrl": r"\x00-\x1F\x7F",
    "XDigit": r"0-9a-fA-F",
    "Punct": r"!-/:-@\[-`{-~",
}
# Predefined classes, as (contents, negated).
SHORTHANDS: dict[str, tuple[str, bool]] = {
    "s": (JAVA_WHITESPACE, False),
    "S": (JAVA_WHITESPACE, True),
    "d": ("0-9", False),
    "D": ("0-9", True),
    "w": ("a-zA-Z0-9_", False),
    "W": ("a-zA-Z0-9_", True),
}
SYNTAX_CHARACTERS = set("^$\\.*+?()[]{}|/")
CONTROL_ESCAPES = set("tnrf")


class UnsupportedPattern(ValueError):
    """A Java pattern using syntax this translator does not handle."""


@dataclass(frozen=True)
class Pattern:
    """One model pattern in its three spellings."""

    java: str
    ecma: str
    python: str

    def fullmatch(self, value: str) -> bool:
        """True when ``value`` satisfies the pattern with AWS's whole-value semantics."""
        return compiled(self.python).search(value) is not None


@lru_cache(maxsize=256)
def compiled(python_pattern: str) -> re.Pattern[str]:
    return re.compile(python_pattern)


def translate(java: str) -> Pattern:
    """Translate a model (Java) pattern into ECMA-262 and Python spellings."""
    body = java
    if body.startswith("^"):
        body = body[1:]
    elif body.startswith("\\A"):
        body = body[2:]
    for end in ("\\z", "\\Z", "$"):
        if body.endswith(end) and not _escaped_at(body, len(body) - len(end)):
            body = body[: -len(end)]
            break
    translated, top_level_alternation = _Translator(java, body).run()
    if top_level_alternation:
        translated = f"(?:{translated})"
    return Pattern(java=java, ecma=f"^{translated}$", python=f"\\A{translated}\\Z")


def python_from_ecma(ecma: str) -> str:
    """Python spelling of an ECMA pattern produced by ``translate`` (anchors made exact)."""
    if ecma.endswith("$") and not _escaped_at(ecma, len(ecma) - 1):
        ecma = ecma[:-1] + "\\Z"
    if ecma.startswith("^"):
        ecma = "\\A" + ecma[1:]
    return ecma


def ecma_search(ecma: str, value: str) -> bool:
    """``RegExp(ecma).test(value)`` for patterns produced by ``translate``."""
    return compiled(python_from_ecma(ecma)).search(value) is not None


def _escaped_at(text: str, position: int) -> bool:
    backslashes = 0
    while position - backslashes - 1 >= 0 and text[position - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


class _Translator:
    """A single pass over the pattern body; depth tracks groups."""

    def __init__(self, java: str, body: str) -> None:
        self.java = java
        self.body = body
        self.pos = 0
        self.out: list[str] = []
        self.depth = 0
        self.top_level_alternation = False

    def fail(self, what: str) -> UnsupportedPattern:
        return UnsupportedPattern(f"{what} at offset {self.pos} of model pattern {self.java!r}")

    def run(self) -> tuple[str, bool]:
        while self.pos < len(self.body):
            char = self.body[self.pos]
            if char == "\\":
                self.out.append(self.escape(in_class=False))
            elif char == "[":
                self.out.append(self.char_class())
            elif char == ".":
                self.out.append(f"[^{LINE_TERMINATORS}]")
                self.pos += 1
            elif char == "(":
                self.out.append(self.group_open())
            elif char == ")":
                self.depth -= 1
                if self.depth < 0:
                    raise self.fail("unbalanced ')'")
                self.out.append(char)
                self.pos += 1
            elif char == "|":
                if self.depth == 0:
                    self.top_level_alternation = True
                self.out.append(char)
                self.pos += 1
            elif char in "*+?}" or char == "{":
                self.out.append(self.quantifier())
            elif char in "^$":
                raise self.fail(f"anchor {char!r} inside the pattern")
            else:
                self.out.append(char)
                self.pos += 1
        if self.depth != 0:
            raise self.fail("unbalanced '('")
        return "".join(self.out), self.top_level_alternation

    def group_open(self) -> str:
        rest = self.body[self.pos :]
        for opener in ("(?:", "(?=", "(?!", "(?<=", "(?<!"):
            if rest.startswith(opener):
                self.pos += len(opener)
                self.depth += 1
                return opener
        if rest.startswith("(?"):
            raise self.fail("group flag or named group")
        self.pos += 1
        self.depth += 1
        return "("

    def quantifier(self) -> str:
        start = self.pos
        if self.body[self.pos] == "{":
            end = self.body.find("}", self.pos)
            if end < 0 or not re.fullmatch(r"\{\d+(,\d*)?\}", self.body[self.pos : end + 1]):
                raise self.fail("malformed '{' quantifier")
            self.pos = end + 1
        elif self.body[self.pos] == "}":
            raise self.fail("unbalanced '}'")
        else:
            self.pos += 1
        if self.pos < len(self.body) and self.body[self.pos] == "+":
            raise self.fail("possessive quantifier")
        if self.pos < len(self.body) and self.body[self.pos] == "?":
            self.pos += 1
        return self.body[start : self.pos]

    def escape(self, *, in_class: bool) -> str:
        if self.pos + 1 >= len(self.body):
            raise self.fail("trailing backslash")
        letter = self.body[self.pos + 1]
        self.pos += 2
        if letter in "pP":
            return self.posix(negated=letter == "P", in_class=in_class)
        if letter in SHORTHANDS:
            contents, negated = SHORTHANDS[letter]
            if in_class and negated:
                raise self.fail(f"negated shorthand \\{letter} inside a class")
            if in_class:
                return contents
            return f"[^{contents}]" if negated else f"[{contents}]"
        if letter in CONTROL_ESCAPES:
            return "\\" + letter
        if letter == "x":
            digits = self.body[self.pos : self.pos + 2]
            if not re.fullmatch(r"[0-9a-fA-F]{2}", digits):
                raise self.fail("malformed \\x escape")
            self.pos += 2
            return "\\x" + digits
        if letter == "u":
            digits = self.body[self.pos : self.pos + 4]
            if not re.fullmatch(r"[0-9a-fA-F]{4}", digits):
                raise self.fail("malformed \\u escape")
            self.pos += 4
            return "\\u" + digits
        if letter.isalnum():
            raise self.fail(f"escape \\{letter}")
        if letter in SYNTAX_CHARACTERS or (in_class and letter == "-"):
            return "\\" + letter
        return letter

    def posix(self, *, negated: bool, in_class: bool) -> str:
        match = re.match(r"\{(\w+)\}", self.body[self.pos :])
        if not match or match.group(1) not in POSIX_CLASSES:
            raise self.fail("unknown \\p{...} class")
        self.pos += match.end()
        contents = POSIX_CLASSES[match.group(1)]
        if in_class:
            if negated:
                raise self.fail("\\P{...} inside a class")
            return contents
        return f"[^{contents}]" if negated else f"[{contents}]"

    def char_class(self) -> str:
        self.pos += 1  # '['
        parts: list[str] = ["["]
        if self.body[self.pos : self.pos + 1] == "^":
            parts.append("^")
            self.pos += 1
        items: list[str] = []  # each a single atom or a complete range
        first = True
        while True:
            if self.pos >= len(self.body):
                raise self.fail("unterminated character class")
            char = self.body[self.pos]
            if char == "]" and not first:
                self.pos += 1
                break
            if char == "[" or self.body.startswith("&&", self.pos):
                raise self.fail("nested class or class intersection")
            atom = self.escape(in_class=True) if char == "\\" else self._class_literal()
            ahead = self.body[self.pos : self.pos + 2]
            if ahead[:1] == "-" and ahead[1:2] not in ("", "]") and _single(atom):
                self.pos += 1
                end_char = self.body[self.pos]
                end = self.escape(in_class=True) if end_char == "\\" else self._class_literal()
                if not _single(end):
                    raise self.fail("range ending in a class")
                items.append(f"{atom}-{end}")
            else:
                items.append(atom)
            first = False
        parts.extend(items)
        parts.append("]")
        return "".join(parts)

    def _class_literal(self) -> str:
        char = self.body[self.pos]
        self.pos += 1
        if char == "-":
            return "\\-"
        if char in "]^\\/":
            return "\\" + char
        return char


def _single(atom: str) -> bool:
    """True for an atom that denotes one character (may start a range)."""
    if len(atom) == 1:
        return True
    return bool(re.fullmatch(r"\\(?:[^a-zA-Z0-9]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[tnrf])", atom))
