"""The open questions as data: ``load_questions() -> tuple[Question, ...]``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

QUESTIONS_PATH = Path(__file__).with_name("questions.toml")
ID_PATTERN = re.compile(r"^Q-[A-Z]+-\d{3}$")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    facts: str
    behaviours: tuple[str, ...]
    design: str


def load_questions(path: Path = QUESTIONS_PATH) -> tuple[Question, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    questions = []
    seen: set[str] = set()
    for entry in data.get("question", []):
        qid = str(entry["id"])
        if not ID_PATTERN.match(qid) or qid in seen:
            raise ValueError(f"{path}: question id {qid!r} is malformed or repeated")
        seen.add(qid)
        questions.append(
            Question(
                id=qid,
                question=str(entry["question"]),
                facts=str(entry["facts"]),
                behaviours=tuple(entry.get("behaviours", ())),
                design=str(entry["design"]),
            )
        )
    return tuple(questions)
