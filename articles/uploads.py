"""Images uploaded from the Markdown editor: verified, re-encoded and renamed before storage.

django-markdownx trusts the client's file name and content type and saves GIF and SVG
byte for byte (STACK.md). Here only PNG and JPEG that Pillow decodes completely are
accepted; the pixels are written out afresh (no metadata, no trailing bytes) under a
random name whose extension comes from the decoded format, never from the client.
"""

import math
import posixpath
import uuid
import warnings
from io import BytesIO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

# Pillow format name -> (extension, save options).
FORMATS = {
    "PNG": ("png", {"optimize": True}),
    "JPEG": ("jpg", {"quality": 88, "optimize": True}),
}
# Our pixel limit is far below Pillow's own (89 megapixels): past it, Pillow's warning only
# repeats a refusal we make anyway, from the header, before any pixel is decoded.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


class UploadRefused(Exception):
    """An upload we will not store; the message is shown to the editor."""


def check_size(size: int) -> None:
    limit = settings.MARKDOWNX_UPLOAD_MAX_SIZE
    if size > limit:
        raise UploadRefused(f"The image is larger than {filesizeformat(limit)}.")


def store_image(upload) -> str:
    """Verify, re-encode and save one uploaded image; return its public URL."""
    check_size(upload.size)
    image_format, clean = _decode(upload)
    extension, options = FORMATS[image_format]
    buffer = BytesIO()
    clean.save(buffer, format=image_format, **options)
    del clean  # the pixels, before the storage copies the file
    name = posixpath.join(settings.MARKDOWNX_MEDIA_PATH, f"{uuid.uuid4().hex}.{extension}")
    saved_name = default_storage.save(name, File(buffer))
    return default_storage.url(saved_name)


def _decode(upload) -> tuple[str, Image.Image]:
    """Open as PNG or JPEG only, refuse bombs, decode every pixel, and strip the metadata."""
    try:
        upload.seek(0)
        probe = Image.open(upload, formats=list(FORMATS))  # reads the header only
        _check_pixels(*probe.size)
        probe.verify()  # checksums (PNG) before decoding
        upload.seek(0)
        image = Image.open(upload, formats=list(FORMATS))
        image.load()  # a truncated file fails here, not later while saving
        return image.format, _strip(image)
    except UploadRefused:
        raise
    except Image.DecompressionBombError as error:
        raise UploadRefused(
            f"The image has more than {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels; {_limit()}"
        ) from error
    except Exception as error:
        # Pillow reports malformed input with many exception types (OSError,
        # SyntaxError, ValueError, struct.error, ...): all mean "not a usable image".
        raise UploadRefused(
            "Upload a PNG or JPEG image; this file is not one, or it is damaged."
        ) from error


def _check_pixels(width: int, height: int) -> None:
    if width * height > settings.MARKDOWNX_IMAGE_MAX_PIXELS:
        raise UploadRefused(
            f"The image is {width}×{height} pixels ({width * height / 1e6:.1f} megapixels); "
            f"{_limit()}"
        )


def _limit() -> str:
    pixels = settings.MARKDOWNX_IMAGE_MAX_PIXELS
    width = math.isqrt(pixels * 4 // 3)  # shown as a 4:3 photo
    return (
        f"the limit is {pixels / 1e6:.1f} megapixels ({width}×{pixels // width}). "
        "Make it smaller and upload it again."
    )


def _strip(image: Image.Image) -> Image.Image:
    """The pixels with the orientation applied and no metadata (EXIF, ICC, comments, text).

    In place where it can be: at most two copies of the pixels exist at any moment (while
    rotating, or converting), which is what MARKDOWNX_IMAGE_MAX_PIXELS is measured for.
    """
    keeps_alpha = image.format == "PNG" and (
        "A" in image.getbands() or "transparency" in image.info
    )
    ImageOps.exif_transpose(image, in_place=True)
    mode = "RGBA" if keeps_alpha else "RGB"
    clean = image if image.mode == mode else image.convert(mode)
    clean.info = {}
    return clean
