"""Images uploaded from the Markdown editor: verified, re-encoded and renamed before storage.

django-markdownx trusts the client's file name and content type and saves GIF and SVG
byte for byte (STACK.md). Here only PNG and JPEG that Pillow decodes completely are
accepted; the pixels are written out afresh (no metadata, no trailing bytes) under a
random name whose extension comes from the decoded format, never from the client.
"""

import posixpath
import uuid
import warnings
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

# Pillow format name -> (extension, save options).
FORMATS = {
    "PNG": ("png", {"optimize": True}),
    "JPEG": ("jpg", {"quality": 88, "optimize": True}),
}


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
    name = posixpath.join(settings.MARKDOWNX_MEDIA_PATH, f"{uuid.uuid4().hex}.{extension}")
    saved_name = default_storage.save(name, ContentFile(buffer.getvalue()))
    return default_storage.url(saved_name)


def _decode(upload) -> tuple[str, Image.Image]:
    """Open as PNG or JPEG only, refuse bombs, decode every pixel, and strip the metadata."""
    max_pixels = settings.MARKDOWNX_IMAGE_MAX_PIXELS
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; treat it as refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            upload.seek(0)
            probe = Image.open(upload, formats=list(FORMATS))
            _check_pixels(probe, max_pixels)
            probe.verify()  # checksums (PNG) before decoding
            upload.seek(0)
            image = Image.open(upload, formats=list(FORMATS))
            image.load()  # a truncated file fails here, not later while saving
            return image.format, _strip(image)
        except UploadRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise UploadRefused("The image has too many pixels.") from error
        except Exception as error:
            # Pillow reports malformed input with many exception types (OSError,
            # SyntaxError, ValueError, struct.error, ...): all mean "not a usable image".
            raise UploadRefused(
                "Upload a PNG or JPEG image; this file is not one, or it is damaged."
            ) from error


def _check_pixels(image: Image.Image, max_pixels: int) -> None:
    width, height = image.size
    if width * height > max_pixels:
        raise UploadRefused(
            f"The image is {width}×{height} pixels; at most {max_pixels:,} pixels are allowed."
        )


def _strip(image: Image.Image) -> Image.Image:
    """A copy with the orientation applied and no metadata (EXIF, ICC, comments, text)."""
    oriented = ImageOps.exif_transpose(image)
    keeps_alpha = image.format == "PNG" and (
        "A" in oriented.getbands() or "transparency" in oriented.info
    )
    clean = oriented.convert("RGBA" if keeps_alpha else "RGB")
    clean.info = {}
    return clean
