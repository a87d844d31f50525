import io
import re
import subprocess

import pytest
from django.urls import reverse

from tests.factories.events import ParticipantFactory


@pytest.fixture
def demo_event(organiser):
    """The Brebes demo (events, discussion, evaluation and report demos), built through the
    same loaders as ``netral demo``, owned by the ``organiser`` fixture."""
    from netral.discussion.demo import load_demo_discussion
    from netral.evaluation.demo import load_demo_evaluation
    from netral.events.demo import load_demo
    from netral.reports.demo import load_demo_report

    event = load_demo(owner=organiser)
    load_demo_discussion(event, answered_by=organiser)
    load_demo_evaluation(event, owner=organiser)
    load_demo_report(event, owner=organiser)
    return event


@pytest.fixture
def other_client(other_organiser):
    from django.test import Client

    c = Client()
    c.force_login(other_organiser)
    return c


def checked_in(event, n: int, **kwargs) -> list:
    """n participants of ``event``, all checked in."""
    from netral.events.enums import CheckinMethod
    from netral.events.services.checkin import check_in

    people = [ParticipantFactory(event=event, **kwargs) for _ in range(n)]
    for p in people:
        check_in(p, method=CheckinMethod.MANUAL)
    return people


def submit_test(event, kind: str, participants) -> None:
    """``participants`` submit the event's test of ``kind`` (created if missing)."""
    from netral.evaluation import services
    from netral.evaluation.models import Test

    services.load_default_bank()
    test = Test.objects.filter(event=event, kind=kind).first() or services.create_test(event, kind, count=5)
    for p in participants:
        attempt, _created = services.start_attempt(test, p)
        services.submit_attempt(attempt)


def pdf_text(data: bytes, tmp_path, *, layout: bool = False) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True).stdout.decode("utf-8")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def page_images(data: bytes, tmp_path, dpi: int = 30) -> list:
    """Every page rendered by pdftoppm, as Pillow images (greyscale)."""
    from PIL import Image

    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")], check=True)
    files = sorted(tmp_path.glob("page-*.png"))
    return [Image.open(f).convert("L") for f in files]


def is_blank(image) -> bool:
    low, _high = image.getextrema()
    return low > 200


def jpeg_with_exif(size=(640, 480)) -> bytes:
    """A JPEG carrying EXIF with a GPS position and a camera model."""
    from PIL import Image

    img = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "Kamera Rahasia"  # Model
    exif[0x8825] = {1: "S", 2: (7.0, 1.0, 0.0), 3: "E", 4: (110.0, 20.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def url(name, event, **kwargs):
    return reverse(name, kwargs={"pk": event.pk, **kwargs})
