import itertools

import pytest
from django.db import connection

from netral.complaints import crypto, services
from netral.complaints.enums import TRANSITIONS, Channel, ComplaintState as S, EventKind
from netral.complaints.models import AppendOnlyError, Complaint, ComplaintEvent
from netral.core.models import AuditLog
from netral.knowledge.models import Sanction

from .factories import organiser, report, verifier as make_verifier

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(a, b) for a, b in itertools.product(S.values, S.values) if b not in TRANSITIONS[a]]
EXTRA = {S.FORWARDED: {"channel": Channel.PPK, "recipient": "Bupati Brebes selaku PPK"},
         S.REJECTED: {"public_note": "Belum lengkap."}, S.WITHDRAWN: {"public_note": "Duplikat."}}
PATH = {  # one legal route from "received" to each state
    S.RECEIVED: [], S.VERIFYING: [S.VERIFYING], S.FORWARDED: [S.VERIFYING, S.FORWARDED],
    S.PROVEN: [S.VERIFYING, S.FORWARDED, S.PROVEN], S.NOT_PROVEN: [S.VERIFYING, S.FORWARDED, S.NOT_PROVEN],
    S.SANCTIONED: [S.VERIFYING, S.FORWARDED, S.PROVEN, S.SANCTIONED],
    S.CLOSED: [S.VERIFYING, S.FORWARDED, S.NOT_PROVEN, S.CLOSED], S.REJECTED: [S.REJECTED],
    S.WITHDRAWN: [S.WITHDRAWN],
}


def _extra(state):
    if state == S.SANCTIONED:
        return {"sanction": Sanction.objects.get(code="disiplin_berat")}
    return EXTRA.get(state, {})


def _walk(complaint, user, states):
    for state in states:
        services.set_complaint_state(complaint, state, user=user, **_extra(state))


def test_full_workflow_to_closed_with_sanction_history_and_audit(verifier):
    complaint = report()

    services.set_complaint_state(complaint, S.VERIFYING, user=verifier, note="Cek akun Facebook.")
    services.ask_reporter(complaint, user=verifier, question="Kapan unggahan itu dibuat?")
    services.answer_question(complaint, text="Tanggal 15, jam 20.00.")
    services.set_complaint_state(complaint, S.FORWARDED, user=verifier, channel=Channel.PPK,
                                 recipient="Bupati Brebes selaku PPK", public_note="Diteruskan ke PPK.")
    services.record_reference(complaint, user=verifier, reference="800/123/2024")
    services.set_complaint_state(complaint, S.PROVEN, user=verifier, public_note="Terbukti.")
    services.set_complaint_state(complaint, S.SANCTIONED, user=verifier,
                                 sanction=Sanction.objects.get(code="moral"), sanction_reference="SK 1/2024")
    services.set_complaint_state(complaint, S.CLOSED, user=verifier)

    complaint.refresh_from_db()
    assert complaint.state == S.CLOSED
    assert complaint.assigned_to == verifier
    assert complaint.external_reference == "800/123/2024"
    assert complaint.sanction.code == "moral"
    assert complaint.closed_at is not None and complaint.resolution_seconds >= 0
    assert complaint.deadline_at is None
    transitions = list(complaint.events.filter(kind=EventKind.TRANSITION).values_list("from_state", "to_state"))
    assert transitions == [(S.RECEIVED, S.VERIFYING), (S.VERIFYING, S.FORWARDED), (S.FORWARDED, S.PROVEN),
                           (S.PROVEN, S.SANCTIONED), (S.SANCTIONED, S.CLOSED)]
    kinds = list(complaint.events.values_list("kind", flat=True))
    assert kinds == ["created", "assigned", "transition", "note", "question", "answer", "transition", "reference",
                     "transition", "transition", "transition"]
    assert all(e.actor == verifier for e in complaint.events.exclude(kind__in=["created", "answer"]))
    audit = list(AuditLog.objects.filter(object_id=str(complaint.pk)).order_by("id").values_list("action", flat=True))
    assert audit == ["netral.complaint.received", "netral.complaint.state", "netral.complaint.question",
                     "netral.complaint.answered", "netral.complaint.state", "netral.complaint.reference",
                     "netral.complaint.state", "netral.complaint.state", "netral.complaint.state"]


@pytest.mark.parametrize(("start", "target"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_illegal_transition_is_refused_and_changes_nothing(verifier, start, target):
    complaint = report()
    _walk(complaint, verifier, PATH[start])
    complaint.refresh_from_db()
    events_before = complaint.events.count()

    with pytest.raises(services.ComplaintError) as excinfo:
        services.set_complaint_state(complaint, target, user=verifier, **_extra(target))

    assert excinfo.value.code == "illegal_transition"
    complaint.refresh_from_db()
    assert complaint.state == start
    assert complaint.events.count() == events_before


def test_every_legal_transition_is_reachable(verifier):
    reached = set()
    for start, targets in TRANSITIONS.items():
        for target in targets:
            complaint = report()
            _walk(complaint, verifier, PATH[start])
            services.set_complaint_state(complaint, target, user=verifier, **_extra(target))
            reached.add((start, target))
    assert reached == {(a, b) for a, targets in TRANSITIONS.items() for b in targets}


def test_reject_needs_a_public_reason_shown_to_the_reporter(verifier):
    complaint = report()

    with pytest.raises(services.ComplaintError) as excinfo:
        services.set_complaint_state(complaint, S.REJECTED, user=verifier, public_note="  ")
    services.set_complaint_state(complaint, S.REJECTED, user=verifier, public_note="Tanggal kejadian tidak jelas.")

    assert excinfo.value.code == "note_required"
    event = complaint.events.get(kind=EventKind.TRANSITION)
    assert (event.public, event.note, event.to_state) == (True, "Tanggal kejadian tidak jelas.", S.REJECTED)


def test_forwarding_needs_channel_and_recipient(verifier):
    complaint = report()
    services.set_complaint_state(complaint, S.VERIFYING, user=verifier)

    with pytest.raises(services.ComplaintError) as no_channel:
        services.set_complaint_state(complaint, S.FORWARDED, user=verifier, recipient="PPK")
    with pytest.raises(services.ComplaintError) as no_recipient:
        services.set_complaint_state(complaint, S.FORWARDED, user=verifier, channel=Channel.BKN)

    assert (no_channel.value.code, no_recipient.value.code) == ("channel", "recipient")
    complaint.refresh_from_db()
    assert complaint.state == S.VERIFYING


def test_sanction_must_come_from_the_catalogue(verifier):
    complaint = report()
    _walk(complaint, verifier, PATH[S.PROVEN])

    with pytest.raises(services.ComplaintError) as excinfo:
        services.set_complaint_state(complaint, S.SANCTIONED, user=verifier)

    assert excinfo.value.code == "sanction"


@pytest.mark.parametrize("role", ["organiser", "speaker", "editor"])
def test_only_verifiers_may_change_a_case(role):
    from tests.factories.events import UserFactory

    user = UserFactory(username=f"u_{role}", role=role)
    complaint = report()

    with pytest.raises(services.ComplaintError) as excinfo:
        services.set_complaint_state(complaint, S.VERIFYING, user=user)
    with pytest.raises(services.ComplaintError):
        services.reveal_identity(complaint, user=user)

    assert excinfo.value.code == "forbidden"
    assert complaint.events.count() == 1


def test_identity_is_encrypted_in_the_raw_table(verifier):
    complaint = report(anonymous=False, reporter_name="Siti Pelapor Rahasia", reporter_contact="081299887766")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM complaints_complaint WHERE id = %s", [complaint.pk])
        row = cursor.fetchone()
    raw = " ".join(str(v) for v in row)

    assert "Siti Pelapor Rahasia" not in raw
    assert "081299887766" not in raw
    assert "Pelapor" not in raw
    assert crypto.decrypt(complaint.reporter_name_enc) == "Siti Pelapor Rahasia"


def test_identity_view_is_logged_each_time(verifier):
    complaint = report(anonymous=False, reporter_name="Siti Pelapor", reporter_contact="siti@contoh.invalid")

    first = services.reveal_identity(complaint, user=verifier, reason="Klarifikasi")
    services.reveal_identity(complaint, user=verifier)

    assert first == {"anonymous": False, "name": "Siti Pelapor", "contact": "siti@contoh.invalid"}
    views = complaint.events.filter(kind=EventKind.IDENTITY_VIEWED)
    assert [(e.actor, e.public, e.note) for e in views] == [(verifier, False, "Klarifikasi"), (verifier, False, "")]
    assert AuditLog.objects.filter(action="netral.complaint.identity_viewed", object_id=str(complaint.pk),
                                   user=verifier).count() == 2


def test_anonymous_report_stores_no_identity():
    complaint = report(anonymous=True, reporter_name="Tidak Disimpan", reporter_contact="0811")

    assert (complaint.reporter_name_enc, complaint.reporter_contact_enc) == ("", "")


def test_history_rows_cannot_be_changed_or_deleted(complaint):
    event = complaint.events.get()

    event.note = "diubah"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ComplaintEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        ComplaintEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        complaint.delete()
    with pytest.raises(AppendOnlyError):
        Complaint.objects.all().delete()
    assert ComplaintEvent.objects.get(pk=event.pk).note == ""


def test_answer_without_open_question_is_refused(complaint):
    with pytest.raises(services.ComplaintError) as excinfo:
        services.answer_question(complaint, text="Jawaban")

    assert excinfo.value.code == "no_question"


def test_question_cannot_be_asked_on_a_finished_case(verifier):
    complaint = report()
    services.set_complaint_state(complaint, S.REJECTED, user=verifier, public_note="Tidak lengkap.")

    with pytest.raises(services.ComplaintError) as excinfo:
        services.ask_reporter(complaint, user=verifier, question="Ada bukti?")

    assert excinfo.value.code == "question_state"


def test_assignment_only_to_verifiers(verifier):
    complaint = report()
    other = make_verifier("verifikator_b")

    with pytest.raises(services.ComplaintError) as excinfo:
        services.assign_complaint(complaint, user=verifier, assignee=organiser())
    services.assign_complaint(complaint, user=verifier, assignee=other)

    assert excinfo.value.code == "assignee"
    complaint.refresh_from_db()
    assert complaint.assigned_to == other
    assert complaint.events.filter(kind=EventKind.ASSIGNED).count() == 1


def test_deadlines_follow_the_state(verifier, settings):
    from datetime import timedelta

    complaint = report()
    received = complaint.created_at
    assert complaint.deadline_at == received + timedelta(days=7)

    services.set_complaint_state(complaint, S.VERIFYING, user=verifier)
    complaint.refresh_from_db()
    assert complaint.deadline_at == received + timedelta(days=7)  # counted from receipt

    services.set_complaint_state(complaint, S.FORWARDED, user=verifier, **EXTRA[S.FORWARDED])
    complaint.refresh_from_db()
    assert complaint.deadline_at == complaint.forwarded_at + timedelta(days=10)


def test_deadline_configurable_by_row_and_settings(settings):
    from datetime import timedelta

    from netral.complaints.models import StateDeadline

    settings.NETRAL_COMPLAINTS_DEADLINES = {"received": 3}
    by_settings = report()
    StateDeadline.objects.create(state=S.RECEIVED, days=2, anchor="received")
    by_row = report()
    StateDeadline.objects.filter(state=S.RECEIVED).update(days=None)
    without = report()

    assert by_settings.deadline_at == by_settings.created_at + timedelta(days=3)
    assert by_row.deadline_at == by_row.created_at + timedelta(days=2)
    assert without.deadline_at is None


@pytest.mark.parametrize(("action", "event_kind", "audit"), [
    ("note", EventKind.NOTE, "netral.complaint.note"),
    ("assign", EventKind.ASSIGNED, "netral.complaint.assigned"),
    ("question", EventKind.QUESTION, "netral.complaint.question"),
    ("reference", EventKind.REFERENCE, "netral.complaint.reference"),
    ("export", EventKind.EXPORTED, "netral.complaint.exported"),
    ("evidence", EventKind.EVIDENCE_VIEWED, "netral.complaint.evidence_opened"),
    ("identity", EventKind.IDENTITY_VIEWED, "netral.complaint.identity_viewed"),
])
def test_every_action_leaves_a_history_entry_and_an_audit_entry(verifier, action, event_kind, audit):
    from .factories import checked, png

    complaint = report(files=checked(png()))
    _walk(complaint, verifier, PATH[S.FORWARDED])
    events_before = complaint.events.count()
    audit_before = AuditLog.objects.filter(object_id=str(complaint.pk)).count()

    {
        "note": lambda: services.add_note(complaint, user=verifier, text="Catatan"),
        "assign": lambda: services.assign_complaint(complaint, user=verifier, assignee=make_verifier("v2")),
        "question": lambda: services.ask_reporter(complaint, user=verifier, question="Ada saksi?"),
        "reference": lambda: services.record_reference(complaint, user=verifier, reference="REF-9"),
        "export": lambda: services.record_export(complaint, user=verifier, kind="json"),
        "evidence": lambda: services.record_evidence_opened(complaint.evidence.get(), user=verifier),
        "identity": lambda: services.reveal_identity(complaint, user=verifier),
    }[action]()

    new_events = list(complaint.events.order_by("id")[events_before:])
    assert [(e.kind, e.actor) for e in new_events] == [(event_kind, verifier)]
    new_audit = list(AuditLog.objects.filter(object_id=str(complaint.pk)).order_by("id")[audit_before:])
    assert [(a.action, a.user) for a in new_audit] == [(audit, verifier)]
