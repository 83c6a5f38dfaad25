"""Input checks the appeals pages share: the USCC check digit and uploaded files by content."""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zoneops.core.files.photos import max_upload_bytes, read_upload
from zoneops.enterprises import uscc


def validate_uscc(value: str) -> str:
    """The normalised 统一社会信用代码, or ValidationError saying what is wrong (the registry's
    own GB 32100-2015 check)."""
    code = (value or "").strip().upper().replace(" ", "")
    uscc.validate_uscc(code)
    return code


# kind → (content type, file name suffixes)
FILE_KINDS = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
}
IMAGE_KINDS = ("png", "jpeg")
DOCUMENT_KINDS = tuple(FILE_KINDS)


def sniff(content: bytes) -> str | None:
    """What the bytes are, judged by their content (never by the name the uploader gave)."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


def check_upload(upload, kinds=DOCUMENT_KINDS) -> tuple[str, bytes]:
    """Read an uploaded file and return (kind, content), or raise a ValidationError."""
    content = read_upload(upload, max_upload_bytes())
    kind = sniff(content)
    if kind not in kinds:
        allowed = "、".join(k.upper() for k in kinds)
        raise ValidationError(
            _("“{name}” is not an accepted file type. Accepted: {allowed}.").format(
                name=upload.name, allowed=allowed
            ),
            code="file_type",
        )
    return kind, content
