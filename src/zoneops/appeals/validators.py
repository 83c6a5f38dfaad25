"""Input checks the appeals pages share: the USCC check digit and uploaded files by content."""

import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise_uscc(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """The normalised 统一社会信用代码, or ValidationError with a message saying what is wrong."""
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has {count}.").format(
                count=len(code)
            ),
            code="uscc_length",
        )
    bad = sorted({c for c in code if c not in USCC_CHARS})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain {chars}.").format(chars="、".join(bad)),
            code="uscc_chars",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check digit of this unified social credit code is wrong; please check it."),
            code="uscc_check",
        )
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


def max_upload_bytes() -> int:
    return int(getattr(settings, "ZONEOPS_APPEAL_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def check_upload(upload, kinds=DOCUMENT_KINDS) -> tuple[str, bytes]:
    """Read an uploaded file and return (kind, content), or raise a ValidationError."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("“{name}” is {size:.1f} MB; files may be at most {limit:.0f} MB.").format(
                name=upload.name, size=upload.size / 1048576, limit=limit / 1048576
            ),
            code="too_large",
        )
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("“{name}” is larger than {limit:.0f} MB.").format(
                name=upload.name, limit=limit / 1048576
            ),
            code="too_large",
        )
    if not content:
        raise ValidationError(_("“{name}” is empty.").format(name=upload.name), code="empty")
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
