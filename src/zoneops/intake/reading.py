"""Reading an article's text out of .txt, .docx, .html or .pdf bytes."""

import io
import re
from html.parser import HTMLParser
from pathlib import Path

SUPPORTED = (".txt", ".docx", ".html", ".htm", ".pdf")


class UnsupportedFile(ValueError):
    pass


_PLAIN = re.compile(r"[\u4e00-\u9fff\x00-\x7f\u3000-\u303f\uff00-\uffef\u2010-\u201f]")


def decode(data: bytes) -> str:
    """Text of bytes in UTF-8 (with or without BOM), GB18030 or Big5.

    GB18030 decodes almost any bytes, so between it and Big5 the reading with more ordinary
    Chinese characters and punctuation (and fewer kana or private-use characters) wins.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    readings = []
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        readings.append((len(_PLAIN.findall(text)) - len(text), text))
    if readings:
        return max(readings, key=lambda r: r[0])[1]
    return data.decode("utf-8", errors="replace")


class _TextParser(HTMLParser):
    """Block-level text of an HTML page; scripts, styles and page furniture elements dropped."""

    SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"}
    BLOCK = {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
        "section", "article", "table", "title", "dd", "dt", "blockquote",
    }  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"[ \t\r\f\v]*\n[\s]*", "\n", text).strip()


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def read_bytes(name: str, data: bytes) -> str:
    """The text of a file given its name (for the kind) and its bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in ("", ".txt", ".text", ".md"):
        return decode(data)
    if suffix in (".html", ".htm"):
        return html_text(decode(data))
    if suffix == ".docx":
        try:
            return docx_text(data)
        except Exception as exc:  # python-docx raises several kinds on a damaged file
            raise UnsupportedFile(f"not a readable .docx file: {exc}") from exc
    if suffix == ".pdf":
        try:
            return pdf_text(data)
        except Exception as exc:  # pypdf raises several kinds on a damaged file
            raise UnsupportedFile(f"not a readable .pdf file: {exc}") from exc
    raise UnsupportedFile(f"unsupported file type {suffix!r}; use one of {', '.join(SUPPORTED)}")


def read_path(path) -> str:
    path = Path(path)
    return read_bytes(path.name, path.read_bytes())


def split_fixture(text: str) -> tuple[str, str, str]:
    """``(source, title, body)`` of an evaluation text: first line source, second the title."""
    lines = text.split("\n", 2)
    while len(lines) < 3:
        lines.append("")
    return lines[0].strip(), lines[1].strip(), lines[2]
