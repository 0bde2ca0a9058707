"""Image uploads and memory: a pixel bomb is refused from its header, before any decoding,
and four uploads at once of the largest image accepted stay within 512 MB.

Memory is measured in a fresh subprocess (``ru_maxrss`` is a process's high-water mark,
which earlier tests in this one would already have raised), calling the upload view from
the project's URLconf in four threads at once.
"""

import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def all_zero_png(path: Path, width: int, height: int, *, rotated: bool = False) -> Path:
    """A tiny file of a huge transparent image; ``rotated`` asks for a 90° turn (EXIF)."""
    exif = Image.Exif()
    if rotated:
        exif[0x0112] = 6  # the orientation that makes the upload transpose every pixel
    Image.new("RGBA", (width, height)).save(path, "PNG", exif=exif.tobytes())
    return path


def largest_accepted_size() -> tuple[int, int]:
    pixels = settings.MARKDOWNX_IMAGE_MAX_PIXELS
    width = math.isqrt(pixels * 4 // 3)
    return width, pixels // width


def upload_four_at_once(image: Path, media_root: Path) -> dict:
    """Run ``_measure`` below in a fresh Python; its report as a dict."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "medinfo.settings_test",
        "DJANGO_MEDIA_ROOT": str(media_root),
    }
    done = subprocess.run(
        [sys.executable, __file__, str(image)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


def _measure(image: Path, count: int = 4) -> dict:
    import resource
    import threading

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import RequestFactory
    from django.urls import resolve

    url = reverse("markdownx_upload")
    view = resolve(url).func
    user = User(username="editor", is_staff=True, is_superuser=True, is_active=True)

    def request(data: bytes):
        made = RequestFactory().post(url, {"image": SimpleUploadedFile("x.png", data)})
        made.user, made._dont_enforce_csrf_checks = user, True
        return made

    tiny = io.BytesIO()
    Image.new("RGBA", (8, 8)).save(tiny, "PNG")
    view(request(tiny.getvalue()))  # imports and first-use allocations, before measuring
    data = image.read_bytes()
    requests = [request(data) for _ in range(count)]
    responses = [None] * count
    start = threading.Barrier(count)

    def upload(index: int) -> None:
        start.wait()
        responses[index] = view(requests[index])

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    threads = [threading.Thread(target=upload, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return {
        "file_bytes": len(data),
        "statuses": [response.status_code for response in responses],
        "bodies": [json.loads(response.content) for response in responses],
        "growth": growth_kb * 1024,
    }


@pytest.mark.django_db
def test_all_zero_6300_by_6300_png_bomb_is_refused_with_its_size_and_the_limit(
    staff_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    bomb = all_zero_png(tmp_path / "bomb.png", 6300, 6300)
    assert bomb.stat().st_size < 160_000

    response = staff_client.post(
        reverse("markdownx_upload"), {"image": SimpleUploadedFile("bomb.png", bomb.read_bytes())}
    )

    assert response.status_code == 400
    assert response.json()["error"] == (
        "The image is 6300×6300 pixels (39.7 megapixels); the limit is 12.6 megapixels "
        "(4096×3072). Make it smaller and upload it again."
    )
    assert not (tmp_path / "media").exists()


def test_four_bombs_at_once_are_refused_from_the_header_without_decoding(tmp_path):
    bomb = all_zero_png(tmp_path / "bomb.png", 6300, 6300)

    report = upload_four_at_once(bomb, tmp_path / "media")

    assert report["statuses"] == [400] * 4
    assert all("6300×6300 pixels" in body["error"] for body in report["bodies"])
    assert report["growth"] < 32 * MB  # 4 × 159 MB had they been decoded


def test_four_uploads_at_once_of_the_largest_accepted_image_stay_under_512_mb(tmp_path):
    # RGBA and turned by its EXIF orientation: two copies of 4 bytes a pixel while turning,
    # the most the upload ever holds (see articles.uploads._strip).
    width, height = largest_accepted_size()
    worst = all_zero_png(tmp_path / "worst.png", width, height, rotated=True)

    report = upload_four_at_once(worst, tmp_path / "media")

    assert report["statuses"] == [200] * 4, report["bodies"]
    assert len({body["image_code"] for body in report["bodies"]}) == 4
    assert report["growth"] < 512 * MB, f"{report['growth'] / MB:.0f} MB"


if __name__ == "__main__":
    print(json.dumps(_measure(Path(sys.argv[1]))))
