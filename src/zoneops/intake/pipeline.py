"""Reading files or URLs into proposed statements: what the command, the pages and the bench use."""

import datetime as dt
import urllib.request
from pathlib import Path

from zoneops.intake import reading
from zoneops.intake.extract import Article, read_article


def looks_like_source(line: str) -> bool:
    return line.startswith(("http://", "https://"))


def read_text(name: str, data: bytes, *, headed: bool | None = None) -> tuple[str, str, str]:
    """``(source, title, body)`` of a file's bytes.

    ``headed``: the text's first line is its source and the second its title (the evaluation
    format); ``None`` decides by whether the first line is a URL.
    """
    text = reading.read_bytes(name, data)
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    if headed is None:
        headed = looks_like_source(first)
    if headed:
        return reading.split_fixture(text.lstrip("\ufeff"))
    return "", "", text


def fetch(url: str, timeout: float = 20) -> tuple[str, bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": "zoneops-intake"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
        data = response.read()
        kind = response.headers.get_content_type()
    suffix = {"application/pdf": ".pdf", "text/plain": ".txt"}.get(kind, ".html")
    if "wordprocessingml" in kind:
        suffix = ".docx"
    return f"page{suffix}", data


def read_source(
    source: str, *, headed: bool | None = None, date: dt.date | None = None, zone: str | None = None
) -> tuple[str, Article]:
    """Read a path or an http(s) URL; returns ``(source, article)``."""
    if looks_like_source(source):
        name, data = fetch(source)
        origin, title, body = read_text(name, data, headed=False)
        origin = source
    else:
        path = Path(source)
        origin, title, body = read_text(path.name, path.read_bytes(), headed=headed)
        origin = origin or path.name
    return origin, read_article(body, title=title, date=date, zone=zone)


def propose(source: str, **kwargs) -> list[dict]:
    return [s.as_dict() for s in read_source(source, **kwargs)[1].statements]
