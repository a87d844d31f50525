import io
import os

import pytest
from django.core.management import call_command
from django.db import connection

from netral.core.audit import log_action
from netral.core.models import AuditLog
from netral.core.qr import qr_terminal

pytestmark = pytest.mark.django_db


def test_log_action_masks_secrets(event, organiser):
    log_action(event, "netral.test", user=organiser, data={"password": "x", "nested": {"api_token": "y"}, "ok": 1})

    entry = AuditLog.objects.get(action="netral.test")
    assert entry.data == {"password": "********", "nested": {"api_token": "********"}, "ok": 1}
    assert entry.object_id == str(event.pk)


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite mode only")
def test_sqlite_runs_in_wal_with_immediate_transactions(settings):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        busy = cursor.fetchone()[0]
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert busy >= 5000


def test_sqlite_file_database_uses_wal(tmp_path):
    """A real file database (the test DB is in memory) gets WAL from the init command."""
    import sqlite3

    from netral.settings import SQLITE_INIT_COMMAND

    db = sqlite3.connect(tmp_path / "x.sqlite3")
    db.executescript(SQLITE_INIT_COMMAND)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_terminal_qr_is_square_blocks():
    lines = qr_terminal("http://192.168.1.5:8000/j/BREBES/").splitlines()

    assert len({len(line) for line in lines}) == 1
    assert len(lines) * 2 >= len(lines[0]) - 1


def test_demo_is_idempotent(monkeypatch, settings, tmp_path):
    from netral.events.models import Attendance, Event, Participant, Session

    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("NETRAL_DEMO_PASSWORD", "demo-rahasia-123")
    out = io.StringIO()
    call_command("demo", "--no-migrate", stdout=out)
    counts = (Event.objects.count(), Session.objects.count(), Participant.objects.count(), Attendance.objects.count())
    call_command("demo", "--no-migrate", stdout=io.StringIO())

    event = Event.objects.get(code="BREBES")
    assert (Event.objects.count(), Session.objects.count(), Participant.objects.count(),
            Attendance.objects.count()) == counts
    assert counts[2] == 40 and 30 <= counts[3] < 40
    assert [s.title for s in event.sessions.order_by("order")] == [
        "Menjaga Kepercayaan Masyarakat dengan Netralitas",
        "Hormati Netralitas ASN dengan Mengedepankan Etika",
        "Netralitas sebagai Komitmen Bersama Birokrasi selama Pemilu",
    ]
    assert [sp.display_name for sp in event.speakers.order_by("name")] == [
        "Khayu Rohmi, MPA", "Thahrina Azriah, M.Si.", "Titi Rahmawati, M.Si."]
    assert event.venue_name == "Aula Kelurahan Brebes"
    assert "demo-rahasia-123" in out.getvalue()
    from django.contrib.auth import authenticate

    assert authenticate(username="panitia", password="demo-rahasia-123").role == "organiser"
    assert authenticate(username="verifikator", password="demo-rahasia-123").role == "verifier"


def test_demo_participants_have_valid_unique_nips():
    from datetime import date

    from netral.accounts.nip import parse_any
    from netral.events.demo import demo_participants

    rows = demo_participants()
    parsed = [parse_any(r["nip"], today=date(2024, 9, 17)) for r in rows]

    assert len({p.nip for p in parsed}) == 40
    assert {p.kind for p in parsed} == {"pns", "pppk"}
    assert len({r["unit"] for r in rows}) >= 5


def test_serve_banner_prints_join_url_and_qr(event):
    from netral.core.management.commands.serve import Command

    event.status = "running"
    event.save()
    cmd = Command(stdout=io.StringIO())
    cmd._banner("http://192.168.1.5:8000", None)

    out = cmd.stdout.getvalue()
    assert f"http://192.168.1.5:8000/j/{event.code}/" in out
    assert "█" in out


def test_home_page_in_indonesian_by_default(client, event):
    body = client.get("/").content.decode()

    assert 'lang="id"' in body
    assert "Kegiatan mendatang" in body or "Kegiatan yang telah berlalu" in body


def test_language_switch_to_english(client, event):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    body = client.get("/").content.decode()
    assert 'lang="en"' in body
    assert "Join an event" in body


def test_no_cdn_in_templates():
    from pathlib import Path

    import netral

    root = Path(netral.__file__).parent
    offenders = [str(p) for p in root.rglob("*.html") if "//cdn" in p.read_text() or "https://" in p.read_text()]
    assert offenders == []


def test_indonesian_even_when_the_browser_asks_for_english(client, event):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == "id"
    assert 'lang="id"' in response.content.decode()


def test_demo_sessions_have_pdf_handouts(monkeypatch, settings, tmp_path):
    from netral.events.models import Material

    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("NETRAL_DEMO_PASSWORD", "demo-rahasia-123")
    call_command("demo", "--no-migrate", stdout=io.StringIO())
    call_command("demo", "--no-migrate", stdout=io.StringIO())

    materials = list(Material.objects.order_by("session__order"))
    assert [m.kind for m in materials] == ["pdf", "pdf", "pdf"]
    assert materials[0].file.read().startswith(b"%PDF-1.4")


def test_demo_discussion_six_askers_all_answered(monkeypatch, settings, tmp_path):
    from netral.discussion.models import Question

    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("NETRAL_DEMO_PASSWORD", "demo-rahasia-123")
    call_command("demo", "--no-migrate", stdout=io.StringIO())
    call_command("demo", "--no-migrate", stdout=io.StringIO())

    questions = Question.objects.filter(event__code="BREBES")
    assert questions.count() == 6
    assert questions.values("participant").distinct().count() == 6
    assert all(q.answered and q.answer_summary for q in questions)
