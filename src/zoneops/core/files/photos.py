"""Photos from phones: checked by their content with Pillow, location (EXIF GPS) removed.

A phone photo carries where it was taken in its EXIF GPS block. The platform keeps it only
where the place is the point of the photo and the user says so ("keep location" on a hazard or
a site photo); everywhere else the GPS block is removed before the file is stored.

The browser resizes photos to at most 2 megapixels before upload (``zoneops/phone.js``), but
the server trusts nothing it is sent: type and size are checked here again.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Pillow format → content type of what may be stored as a photo.
PHOTO_FORMATS = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # some phone cameras' JPEG with a second (depth) picture
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
PDF = "application/pdf"
GPS_IFD = 0x8825  # the EXIF pointer to the GPS block


@dataclass(frozen=True)
class CheckedPhoto:
    name: str
    content: bytes
    content_type: str


def max_photo_bytes() -> int:
    return int(getattr(settings, "ZONEOPS_PHOTO_MAX_BYTES", 10 * 1024 * 1024))


def read_upload(upload, limit: int) -> bytes:
    """The whole upload, refused when empty or over ``limit`` bytes (its declared size first,
    then what is actually read: a client may under-declare)."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("“{name}” is {size:.1f} MB; files may be at most {limit:.0f} MB.").format(
                name=upload.name, size=size / 1048576, limit=limit / 1048576
            ),
            code="too_large",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
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
    return content


def image_format(content: bytes) -> str | None:
    """Pillow's name of the image format, when the bytes are a whole readable image."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return kind


def check_photo(
    upload, *, keep_location: bool = False, allow_pdf: bool = False, max_bytes: int | None = None
) -> CheckedPhoto:
    """Read an uploaded photo, check it by content and return what to store.

    Raises ValidationError for anything but a JPEG, PNG, WebP or GIF image (or a PDF where
    ``allow_pdf``), an empty file, or one over the size limit. Unless ``keep_location``, the
    returned content has no EXIF GPS block.
    """
    limit = max_photo_bytes() if max_bytes is None else max_bytes
    content = read_upload(upload, limit)
    name = (upload.name or "photo")[-200:]
    if allow_pdf and content.startswith(b"%PDF-"):
        return CheckedPhoto(name=name, content=content, content_type=PDF)
    kind = image_format(content)
    if kind not in PHOTO_FORMATS:
        raise ValidationError(
            _("“{name}” is not a JPEG, PNG, WebP or GIF photo.").format(name=upload.name),
            code="file_type",
        )
    if not keep_location:
        content = strip_location(content)
    return CheckedPhoto(name=name, content=content, content_type=PHOTO_FORMATS[kind])


def location_of(content: bytes) -> dict:
    """The EXIF GPS block of an image ({} when there is none)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            return dict(image.getexif().get_ifd(GPS_IFD))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return {}


def strip_location(content: bytes) -> bytes:
    """The image without its EXIF GPS block (and without XMP, which may repeat it).

    Images without a location are returned unchanged. A JPEG is written again with its own
    quantisation tables (``quality="keep"``), so that the picture does not lose quality.
    """
    with Image.open(io.BytesIO(content)) as image:
        kind = image.format
        exif = image.getexif()
        xmp = image.info.get("xmp") or b""
        if isinstance(xmp, str):
            xmp = xmp.encode()
        if GPS_IFD not in exif and b"GPS" not in xmp:
            return content
        if kind not in ("JPEG", "MPO", "PNG", "WEBP"):
            return content
        exif.pop(GPS_IFD, None)
        params = {"exif": exif.tobytes()}
        if image.info.get("icc_profile"):
            params["icc_profile"] = image.info["icc_profile"]
        out = io.BytesIO()
        if kind == "JPEG":
            image.save(out, format="JPEG", quality="keep", **params)
        elif kind == "MPO":  # Pillow keeps the tables of a plain JPEG only
            image.save(out, format="JPEG", quality=95, **params)
        elif kind == "WEBP":
            image.save(out, format="WEBP", quality=90, **params)
        else:
            image.save(out, format="PNG", **params)
        return out.getvalue()


def max_upload_bytes() -> int:
    """The largest attachment or photo of an appeal or hazard."""
    return int(getattr(settings, "ZONEOPS_APPEAL_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
