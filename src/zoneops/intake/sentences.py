"""Splitting an article into paragraphs, sentences and clauses, keeping offsets."""

import re
from dataclasses import dataclass

_SENTENCE = re.compile(r"[^。!?!?…]+(?:[。!?!?…]+[”’」』)]?)?")
# Commas, semicolons and colons end a clause; an ASCII comma between digits does not (1,234).
_CLAUSE_END = re.compile(r"[,，;；﹔:：]|,(?!\d{3})")


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    paragraph: int
    index: int  # position in the article
    clauses: tuple[tuple[int, int], ...]  # (start, end) offsets of each clause in ``text``

    def clause_at(self, position: int) -> int:
        for number, (start, end) in enumerate(self.clauses):
            if start <= position < end:
                return number
        return len(self.clauses) - 1


def clause_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans, start = [], 0
    for match in _CLAUSE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return tuple(spans) or ((0, len(text)),)


def split(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    for paragraph, line in enumerate(text.split("\n")):
        for match in _SENTENCE.finditer(line):
            sentence = match.group().strip()
            if sentence:
                out.append(Sentence(sentence, paragraph, len(out), clause_spans(sentence)))
    return out
