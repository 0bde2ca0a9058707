"""The markdownx preview and upload endpoints: who may call them, and what bad input gets."""

import io
import struct
import time
import zlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from content.markup import MAX_MARKDOWN_CHARS, markdownify
from tests import factories

pytestmark = pytest.mark.django_db

PREVIEW = reverse("markdownx_markdownify")
UPLOAD = reverse("markdownx_upload")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media_root: Path) -> list[Path]:
    return sorted(path for path in media_root.rglob("*") if path.is_file())


@pytest.fixture
def editor_client(client):
    """Staff with nothing but the right to change articles (no superuser shortcut)."""
    user = factories.UserFactory(is_staff=True, username="editor")
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(user)
    return client


def image_bytes(fmt="PNG", size=(40, 30), mode="RGB", **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "teal").save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def upload(client, content: bytes, name="photo.png", content_type="image/png"):
    return client.post(UPLOAD, {"image": SimpleUploadedFile(name, content, content_type)})


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(width: int, height: int) -> bytes:
    """A small file that declares a huge black-and-white image (its rows start to follow)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * 2_000_000, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", rows)
        + png_chunk(b"IEND", b"")
    )


# --- Who may call the endpoints -------------------------------------------------------------


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD])
def test_anonymous_user_is_sent_to_the_login_and_nothing_happens(client, media_root, url):
    response = client.post(url, {"content": "# Hi", "image": io.BytesIO(image_bytes())})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert stored_files(media_root) == []


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD])
def test_logged_in_non_staff_user_is_refused(client, plain_user, media_root, url):
    client.force_login(plain_user)

    response = client.post(url, {"content": "# Hi", "image": io.BytesIO(image_bytes())})

    assert response.status_code in (302, 403)
    assert b"<h1" not in response.content
    assert stored_files(media_root) == []


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD])
def test_staff_without_permission_to_change_content_gets_403(client, media_root, url):
    client.force_login(factories.UserFactory(is_staff=True, username="viewer"))

    response = client.post(url, {"content": "# Hi", "image": io.BytesIO(image_bytes())})

    assert response.status_code == 403
    assert stored_files(media_root) == []


def test_upload_without_csrf_token_is_refused(media_root):
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True, username="boss"))

    response = upload(client, image_bytes())

    assert response.status_code == 403
    assert stored_files(media_root) == []


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD])
def test_endpoints_answer_post_only(editor_client, url):
    assert editor_client.get(url).status_code == 405


# --- Preview ---------------------------------------------------------------------------------


def test_preview_returns_exactly_what_readers_will_be_served(editor_client):
    text = "## Uses\n\nBaclofen | dose\n--- | ---\nadults | 5 mg\n\nNote[^1].\n\n[^1]: Footnote."

    response = editor_client.post(PREVIEW, {"content": text})

    assert response.status_code == 200
    assert response.content.decode() == markdownify(text)
    assert '<h2 id="sec-uses">Uses</h2>' in response.content.decode()


HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[r][1]\n\n[1]: javascript:alert(1)",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<img src=x onerror=alert(1)>",
    '![a](x" onerror="alert(1))',
    '<a href="https://e.x" onmouseover="alert(1)">a</a>',
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<style>.disclaimer{display:none}</style>",
    '<p style="position:fixed" id="disclaimer">x</p>',
    "<form action=//evil><input name=q></form>",
]


@pytest.mark.parametrize("text", HOSTILE_MARKDOWN)
def test_preview_sanitises_hostile_markdown(editor_client, text):
    response = editor_client.post(PREVIEW, {"content": text})

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert not soup.find(["script", "style", "iframe", "form", "input", "object"])
    for element in soup.find_all(True):
        for attribute, value in element.attrs.items():
            assert not attribute.startswith("on") and attribute != "style"
            if attribute in ("href", "src"):
                scheme = "".join(value.split()).lower().split(":")[0]
                assert scheme not in ("javascript", "data", "vbscript")
        assert element.get("id") != "disclaimer"


def test_preview_without_content_is_a_400(editor_client):
    response = editor_client.post(PREVIEW, {"text": "# Hi"})

    assert response.status_code == 400
    assert response.content.decode() == "Missing 'content'."


def test_preview_of_overlong_text_is_a_400(editor_client):
    response = editor_client.post(PREVIEW, {"content": "a" * (MAX_MARKDOWN_CHARS + 1)})

    assert response.status_code == 400


def test_preview_of_three_megabytes_is_a_400(editor_client):
    response = editor_client.post(PREVIEW, {"content": "a" * (3 * 1024 * 1024)})

    assert response.status_code == 400


@pytest.mark.parametrize("text", ["> " * 5000, "* " * 5000 + "x", "[" * 5000 + "x"])
def test_preview_of_pathological_nesting_is_quick(editor_client, text):
    started = time.monotonic()
    response = editor_client.post(PREVIEW, {"content": text})

    assert response.status_code == 200
    assert time.monotonic() - started < 2


# --- Upload: what is accepted ---------------------------------------------------------------


def test_png_upload_is_re_encoded_and_answered_with_markdown_for_the_widget(
    editor_client, media_root
):
    response = upload(editor_client, image_bytes("PNG", mode="RGBA"))

    assert response.status_code == 200
    (stored,) = stored_files(media_root)
    assert stored.parent == media_root / "markdownx"
    assert stored.suffix == ".png"
    assert response.json() == {"image_code": f"![](/media/markdownx/{stored.name})"}
    with Image.open(stored) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (40, 30), "RGBA")


def test_jpeg_upload_loses_its_metadata(editor_client, media_root):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    exif[0x8825] = {2: (52.0, 31.0, 12.0)}  # GPS latitude
    original = image_bytes("JPEG", exif=exif.tobytes(), comment=b"private note")
    assert b"SecretCam" in original

    response = upload(editor_client, original, name="holiday.jpeg", content_type="image/jpeg")

    assert response.status_code == 200
    (stored,) = stored_files(media_root)
    assert stored.suffix == ".jpg"
    data = stored.read_bytes()
    assert b"SecretCam" not in data and b"private note" not in data
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_jpeg_orientation_is_applied_before_its_metadata_is_dropped(editor_client, media_root):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    photo = image_bytes("JPEG", size=(40, 30), exif=exif.tobytes())

    response = upload(editor_client, photo, name="phone.jpg", content_type="image/jpeg")

    assert response.status_code == 200
    (stored,) = stored_files(media_root)
    with Image.open(stored) as image:
        assert image.size == (30, 40)


def test_png_text_chunks_are_dropped(editor_client, media_root):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")

    response = upload(editor_client, image_bytes("PNG", pnginfo=info))

    assert response.status_code == 200
    (stored,) = stored_files(media_root)
    assert b"<script" not in stored.read_bytes()


@pytest.mark.parametrize(
    "name",
    ["../../x.png", "x.png%00.html", "x.png\x00.html", "evil.html", "..\\..\\x.png", ""],
)
def test_stored_name_is_random_with_the_extension_of_the_verified_format(
    editor_client, media_root, name
):
    response = upload(editor_client, image_bytes("PNG"), name=name or "x", content_type="image/gif")

    assert response.status_code == 200
    (stored,) = stored_files(media_root)
    assert stored.parent == media_root / "markdownx"
    assert stored.suffix == ".png"
    assert len(stored.stem) == 32  # a uuid4 in hex, nothing of the client's name


def test_jpeg_sent_as_evil_html_with_gif_type_is_stored_as_jpg(editor_client, media_root):
    response = upload(
        editor_client, image_bytes("JPEG"), name="evil.html", content_type="image/gif"
    )

    assert response.status_code == 200
    (stored,) = stored_files(media_root)
    assert stored.suffix == ".jpg"


def test_valid_png_with_a_script_appended_is_stored_without_it(editor_client, media_root):
    polyglot = image_bytes("PNG") + b"<script>alert(document.cookie)</script>"

    response = upload(editor_client, polyglot)

    assert response.status_code == 200
    (stored,) = stored_files(media_root)
    assert b"<script" not in stored.read_bytes()
    assert stored.read_bytes().endswith(png_chunk(b"IEND", b""))


# --- Upload: what is refused ----------------------------------------------------------------

SVG_ONLOAD = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
SVG_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script\n>alert(1)</script\n></svg>'
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>"""
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (SVG_ONLOAD, "x.svg", "image/svg+xml"),
        (SVG_SCRIPT, "x.svg", "image/svg+xml"),
        (BILLION_LAUGHS, "lol.svg", "image/svg+xml"),
        (HTML, "evil.html", "image/gif"),
        (HTML, "evil.png", "image/png"),
        (b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", "x.png", "image/png"),
        (image_bytes("JPEG")[:-400], "truncated.jpg", "image/jpeg"),
        (image_bytes("PNG")[:60], "truncated.png", "image/png"),
        (image_bytes("GIF"), "anim.gif", "image/gif"),
        (image_bytes("WEBP"), "x.webp", "image/webp"),
        (image_bytes("BMP"), "x.bmp", "image/bmp"),
        (b"", "empty.png", "image/png"),
    ],
    ids=[
        "svg-onload",
        "svg-script",
        "billion-laughs",
        "html-as-gif",
        "html-as-png",
        "png-header-then-script",
        "truncated-jpeg",
        "truncated-png",
        "gif",
        "webp",
        "bmp",
        "empty",
    ],
)
def test_hostile_or_unsupported_upload_is_a_400_with_a_message_and_nothing_is_written(
    editor_client, media_root, content, name, content_type
):
    response = upload(editor_client, content, name=name, content_type=content_type)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]
    assert stored_files(media_root) == []


def test_upload_without_a_file_is_a_400(editor_client, media_root):
    response = editor_client.post(UPLOAD, {"something": "else"})

    assert response.status_code == 400
    assert "No image was sent" in response.json()["error"]


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (8000, 6000),  # over our limit, under Pillow's: refused by our own check
        (10_000, 10_000),  # Pillow warns (DecompressionBombWarning)
        (50_000, 50_000),  # Pillow refuses (DecompressionBombError)
    ],
)
def test_image_with_too_many_pixels_is_a_400(editor_client, media_root, width, height):
    bomb = huge_png(width, height)
    assert len(bomb) < 200_000

    response = upload(editor_client, bomb, name="bomb.png")

    assert response.status_code == 400
    assert "pixels" in response.json()["error"]
    assert stored_files(media_root) == []


def test_file_over_the_size_limit_is_a_400(editor_client, media_root, settings):
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = 1000
    noisy = Image.effect_noise((200, 200), 100)
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > 1000

    response = upload(editor_client, buffer.getvalue())

    assert response.status_code == 400
    assert "larger than" in response.json()["error"]
    assert stored_files(media_root) == []


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if more than its first bytes are read."""

    def __init__(self):
        self.read_so_far = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        self.read_so_far += len(buffer)
        raise AssertionError("the 60 MB body was read")


def test_sixty_megabyte_upload_is_refused_before_its_body_is_read(editor_client, media_root):
    body = UnreadableBody()

    response = editor_client.generic(
        "POST",
        UPLOAD,
        content_type="multipart/form-data; boundary=xyz",
        **{"CONTENT_LENGTH": str(60 * 1024 * 1024), "wsgi.input": body},
    )

    assert response.status_code == 400
    assert "larger than" in response.json()["error"]
    assert body.read_so_far == 0
    assert stored_files(media_root) == []
