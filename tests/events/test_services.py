import io
import zipfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from netral.accounts.nip import build_nip
from netral.core.models import AuditLog
from netral.events.enums import CheckinMethod, EventStatus
from netral.events.models import Attendance, Participant
from netral.events.services import events as event_services
from netral.events.services.checkin import check_in, checkin_token, verify_checkin_token
from netral.events.services.materials import MaterialError, add_material
from netral.events.services.participants import clean_identity, register_participant
from tests.factories.events import ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
NIP = build_nip(date(1986, 9, 26), 2015, 5, "M", 1)


def test_create_event_generates_code_and_logs(organiser):
    event = event_services.create_event(
        owner=organiser, title="Sosialisasi", starts_at=datetime(2024, 9, 17, 9, tzinfo=WIB),
        venue_name="Aula", organiser_name="Unsoed")

    assert len(event.code) == 6
    assert event.status == EventStatus.DRAFT
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["netral.event.created"]


def test_set_event_status_refuses_publishing_without_sessions(event, organiser):
    event.status = EventStatus.DRAFT
    event.save()

    with pytest.raises(event_services.EventError) as excinfo:
        event_services.set_event_status(event, EventStatus.PUBLISHED, user=organiser)

    assert excinfo.value.code == "no_sessions"


def test_set_event_status_refuses_draft_to_finished(event, organiser):
    event.status = EventStatus.DRAFT
    event.save()
    SessionFactory(event=event)

    with pytest.raises(event_services.EventError) as excinfo:
        event_services.set_event_status(event, EventStatus.FINISHED, user=organiser)

    assert excinfo.value.code == "transition"
    event.refresh_from_db()
    assert event.status == EventStatus.DRAFT


def test_set_event_status_publishes_and_logs(event, organiser):
    event.status = EventStatus.DRAFT
    event.save()
    SessionFactory(event=event)

    event_services.set_event_status(event, EventStatus.PUBLISHED, user=organiser)

    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    log = AuditLog.objects.get(action="netral.event.status")
    assert log.data == {"from": "draft", "to": "published"}


def test_check_in_twice_is_one_attendance(event):
    participant = ParticipantFactory(event=event)
    first, created_first = check_in(participant, method=CheckinMethod.SELF_QR)

    second, created_second = check_in(participant, method=CheckinMethod.MANUAL)

    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert second.method == CheckinMethod.SELF_QR
    assert Attendance.objects.filter(participant=participant).count() == 1


def test_checkin_token_rotates_and_accepts_previous_window(event, settings):
    settings.NETRAL_CHECKIN_QR_PERIOD = 60
    t0 = datetime(2024, 9, 17, 9, 0, 5, tzinfo=WIB)
    token = checkin_token(event, at=t0)

    assert verify_checkin_token(event, token, at=t0)
    assert verify_checkin_token(event, token, at=t0 + timedelta(seconds=60))
    assert not verify_checkin_token(event, token, at=t0 + timedelta(seconds=120))
    assert checkin_token(event, at=t0 + timedelta(seconds=60)) != token


def test_checkin_token_is_per_event(event):
    from tests.factories.events import EventFactory

    other = EventFactory(owner=event.owner)
    assert not verify_checkin_token(other, checkin_token(event))


def test_clean_identity_reports_every_bad_field():
    with pytest.raises(ValidationError) as excinfo:
        clean_identity({"kind": "pns", "nip": "198602312015051001", "name": "", "email": "bukan-email"})

    errors = excinfo.value.message_dict
    assert set(errors) == {"nip", "name", "email"}
    assert "19860231" in errors["nip"][0]


def test_clean_identity_detects_pppk_number_typed_as_pns():
    identity = clean_identity({"nip": "199009132025242014", "name": "Sari Utami"}, today=date(2026, 1, 1))

    assert (identity.kind, identity.gender, identity.birth_date) == ("pppk", "F", date(1990, 9, 13))


def test_clean_identity_non_asn_needs_institution():
    with pytest.raises(ValidationError) as excinfo:
        clean_identity({"kind": "other", "name": "Warga"})

    assert list(excinfo.value.message_dict) == ["agency"]


def test_register_participant_is_unique_by_nip(event):
    identity = clean_identity({"nip": NIP, "name": "Budi Santoso", "agency": "Kelurahan Brebes"})
    first, created = register_participant(event, identity)

    again, created_again = register_participant(
        event, clean_identity({"nip": "19860926 201505 1 001", "name": "Budi S."}), update=True)

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Participant.objects.get(pk=first.pk).name == "Budi S."


def test_register_participant_same_nip_in_two_events(event):
    from tests.factories.events import EventFactory

    identity = clean_identity({"nip": NIP, "name": "Budi"})
    register_participant(event, identity)
    register_participant(EventFactory(owner=event.owner), identity)

    assert Participant.objects.filter(nip=NIP).count() == 2


def test_unique_nip_per_event_is_a_database_constraint(event):
    from django.db import IntegrityError, transaction

    Participant.objects.create(event=event, kind="pns", nip=NIP, name="A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(event=event, kind="pns", nip=NIP, name="B")


def test_non_asn_participants_without_nip_may_repeat_in_db(event):
    Participant.objects.create(event=event, kind="other", nip="", name="A", agency="X")
    Participant.objects.create(event=event, kind="other", nip="", name="B", agency="Y")

    assert event.participants.count() == 2


# --- materials --------------------------------------------------------------------------------

def _ooxml(marker: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(marker, "<x/>")
    return buf.getvalue()


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.mark.parametrize(
    ("name", "content", "kind", "extension"),
    [
        ("materi.pdf", b"%PDF-1.4\n%%EOF", "pdf", "pdf"),
        ("slides.pptx", _ooxml("ppt/presentation.xml"), "pptx", "pptx"),
        ("handout.docx", _ooxml("word/document.xml"), "docx", "docx"),
        ("foto.png", PNG, "image", "png"),
        ("mislabelled.pdf", PNG, "image", "png"),
    ],
    ids=["pdf", "pptx", "docx", "png", "png-named-pdf"],
)
def test_add_material_detects_type_by_content(event, organiser, name, content, kind, extension):
    session = SessionFactory(event=event)

    material = add_material(session, title="", upload=SimpleUploadedFile(name, content), user=organiser)

    assert (material.kind, material.extension, material.size) == (kind, extension, len(content))
    assert material.file.name.endswith("." + extension)
    assert material.title == name.rsplit(".", 1)[0]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "type"),
        ("notes.pdf", b"just some text pretending", "type"),
        ("slides.pptx", b"PK\x03\x04broken zip", "corrupt"),
        ("archive.docx", _ooxml("something/else.xml"), "type"),
        ("empty.pdf", b"", "empty"),
        ("page.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "type"),
    ],
    ids=["exe", "text", "broken-zip", "other-ooxml", "empty", "svg"],
)
def test_add_material_rejects_by_content(event, organiser, name, content, code):
    session = SessionFactory(event=event)

    with pytest.raises(MaterialError) as excinfo:
        add_material(session, title="x", upload=SimpleUploadedFile(name, content), user=organiser)

    assert excinfo.value.code == code
    assert session.materials.count() == 0


def test_add_material_enforces_size_cap(event, organiser, settings):
    settings.NETRAL_MATERIAL_MAX_BYTES = 1024
    session = SessionFactory(event=event)

    with pytest.raises(MaterialError) as excinfo:
        add_material(session, title="x", upload=SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2000), user=organiser)

    assert excinfo.value.code == "size"
    assert "0,0 MB" in excinfo.value.message


@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_of_one_person_make_one_attendance(event):
    from tests.concurrency import run_at_once

    participant = ParticipantFactory(event=event)
    outcomes, errors = run_at_once(lambda: check_in(participant, method=CheckinMethod.ORGANISER_SCAN), 6)
    results = [created for _attendance, created in outcomes]

    assert errors == []
    assert sorted(results) == [False] * 5 + [True]
    assert Attendance.objects.filter(participant=participant).count() == 1
