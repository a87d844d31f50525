"""``netral analyze``: JSON, HTML, PDF and XLSX outputs, exit code 2 with a message on bad
input, and no database needed."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.template.defaultfilters import floatformat
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from netral.evaluation import stats
from tests.evaluation.test_sheets import GF_POST, GF_PRE, KEY

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def files(tmp_path):
    (tmp_path / "pre.csv").write_text(GF_PRE, encoding="utf-8-sig")
    (tmp_path / "post.csv").write_text(GF_POST, encoding="utf-8")
    (tmp_path / "kunci.csv").write_text(KEY, encoding="utf-8")
    return tmp_path


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("analyze", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _expected_gain():
    return stats.learning_gain(np.array([2, 0, 2, 1, 2, np.nan], dtype=float),
                               np.array([2, 2, 3, np.nan, 3, 1], dtype=float), 3.0)


def test_json_to_stdout(files):
    out, _err = _run(files / "pre.csv", files / "post.csv", "--key", files / "kunci.csv")

    report = json.loads(out)
    assert report["learning_gain"] == _expected_gain().as_dict()
    assert report["files"]["key"] == "kunci.csv"
    assert [w["code"] for w in report["warnings"]] == ["duplicate", "only_pre", "only_post"]


def test_html_output_is_standalone_and_shows_the_gain(files):
    target = files / "laporan.html"

    _out, err = _run(files / "pre.csv", files / "post.csv", "--key", files / "kunci.csv",
                     "--format", "html", "--output", target)

    page = target.read_text(encoding="utf-8")
    gain = floatformat(_expected_gain().class_average_gain, 2)
    assert page.startswith("<!DOCTYPE html>")
    assert f'id="class-gain">{gain} (' in page
    assert page.count("<svg") >= 4  # distribution, paired, topics, item maps
    assert "<script" not in page and "http://" not in page.split("<svg", 1)[0]
    assert "<link" not in page
    assert "submitted more than once" in err  # warnings go to stderr when writing a file


def test_pdf_output_contains_the_gain(files):
    target = files / "laporan.pdf"

    _run(files / "pre.csv", files / "post.csv", "--key", files / "kunci.csv", "--format", "pdf",
         "-o", target)

    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    gain = floatformat(_expected_gain().class_average_gain, 2)
    assert f"{gain} (" in text
    assert "Budi Santoso" in text


def test_xlsx_output_lists_participants(files):
    target = files / "hasil.xlsx"

    _run(files / "pre.csv", files / "post.csv", "--key", files / "kunci.csv", "--format", "xlsx",
         "-o", target)

    wb = load_workbook(target)
    rows = list(wb["Peserta"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["Sari Wulandari", "Agus Salim", "Dewi Lestari",
                                    "Eko Prasetyo", "Budi Santoso", "Fajar Nugroho"]
    assert rows[1][2:4] == (0, 2)


@pytest.mark.parametrize(("args", "message"), [
    (["missing.csv", "post.csv"], "File not found: missing.csv"),
    (["pre.csv", "post.csv", "--key", "rusak.csv"],
     'rusak.csv: the key needs the columns "item" and "correct" (found: soal, jawaban benar?).'),
    (["pre.csv", "ragged.csv"], "ragged.csv, row 3: 3 cells but the header has 2 columns."),
    (["pre.csv", "post.csv", "--id-column", "Nomor HP"],
     'pre.csv: no column "Nomor HP" (given with --id-column).'),
])
def test_bad_input_exits_2_with_a_precise_message(files, monkeypatch, args, message):
    (files / "rusak.csv").write_text("soal,jawaban benar?\n1,A\n")
    (files / "ragged.csv").write_text("participant,Q1\nbudi,1\nsari,1,1\n")
    monkeypatch.chdir(files)
    err = io.StringIO()

    with pytest.raises(SystemExit) as excinfo:
        call_command("analyze", *args, stdout=io.StringIO(), stderr=err)

    assert excinfo.value.code == 2
    assert err.getvalue().strip() == message


def test_command_runs_without_database_in_a_fresh_data_dir(files, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("fresh-data")
    env = {**os.environ, "NETRAL_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE":
           "netral.settings"}
    env.pop("DATABASE_URL", None)

    done = subprocess.run(
        [sys.executable, "-m", "netral", "analyze", str(files / "pre.csv"),
         str(files / "post.csv"), "--key", str(files / "kunci.csv")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["learning_gain"]["n_pairs"] == 4
    assert not list(data_dir.glob("*.sqlite3"))  # no database was created


def test_command_bad_input_in_a_subprocess_prints_no_traceback(files, tmp_path_factory):
    (files / "kosong.csv").write_text("")
    env = {**os.environ, "NETRAL_DATA_DIR": str(tmp_path_factory.mktemp("fresh-data-2"))}

    done = subprocess.run(
        [sys.executable, "-m", "netral", "analyze", str(files / "kosong.csv"),
         str(files / "post.csv")], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=120)

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "kosong.csv" in done.stderr and done.stdout == ""
