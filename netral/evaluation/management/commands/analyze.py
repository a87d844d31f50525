"""``netral analyze PRE.csv POST.csv [--key KEY.csv] [--format json|html|pdf|xlsx]``.

Evaluation statistics for answer sheets exported from Google Forms, Moodle or a
spreadsheet, without an event in the database (the command never touches the database and
runs no system checks). Layouts: see :mod:`netral.evaluation.sheets` and docs/analyze.md.
Bad input: one Indonesian message on stderr, exit code 2.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from netral.evaluation.analysis import (
    analyze,
    render_html,
    render_json,
    render_pdf,
    render_xlsx,
)
from netral.evaluation.sheets import SheetError

MAX_INPUT_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = ("Evaluation statistics (item analysis, learning gain, topic mastery) for pre/post "
            "answer sheets exported from Google Forms, Moodle or a spreadsheet (CSV).")
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("pre", help="Pre-test answer sheet (CSV).")
        parser.add_argument("post", help="Post-test answer sheet (CSV).")
        parser.add_argument("--key", help="Answer key: CSV with item,correct[,max_marks,topic].")
        parser.add_argument("--format", choices=["json", "html", "pdf", "xlsx"], default="json",
                            help="Output format (default json).")
        parser.add_argument("--output", "-o", help="Write to this file (default: standard output).")
        parser.add_argument("--id-column",
                            help="Column that identifies participants (header text or number).")

    def handle(self, *args, **options):
        try:
            pre = self._read(options["pre"])
            post = self._read(options["post"])
            key = self._read(options["key"]) if options.get("key") else None
            report = analyze(pre, post, key=key, pre_name=Path(options["pre"]).name,
                             post_name=Path(options["post"]).name,
                             key_name=Path(options["key"]).name if options.get("key") else "KEY.csv",
                             id_column=options.get("id_column"))
        except SheetError as exc:
            self._fail(str(exc))
        fmt = options["format"]
        output = options.get("output")
        if fmt in ("pdf", "xlsx") and not output and self.stdout.isatty():
            self._fail(_("Give --output FILE for {format} output.").format(format=fmt.upper()))
        if fmt == "json":
            content: str | bytes = render_json(report)
        elif fmt == "html":
            content = render_html(report)
        elif fmt == "pdf":
            content = render_pdf(report)
        else:
            content = render_xlsx(report)
        if output:
            try:
                if isinstance(content, bytes):
                    Path(output).write_bytes(content)
                else:
                    Path(output).write_text(content, encoding="utf-8")
            except OSError as exc:
                self._fail(_("Cannot write {file}: {error}.").format(file=output,
                                                                     error=exc.strerror))
            for warning in report["warnings"]:
                self.stderr.write(_("Warning: {message}").format(message=warning["message"]))
        elif isinstance(content, bytes):
            stream = getattr(self.stdout, "_out", sys.stdout)
            stream.buffer.write(content)
            stream.flush()
        else:
            self.stdout.write(content, ending="")

    def _read(self, path: str) -> bytes:
        p = Path(path)
        try:
            if p.stat().st_size > MAX_INPUT_BYTES:
                self._fail(_("{file} is too large (more than 50 MB).").format(file=path))
            return p.read_bytes()
        except FileNotFoundError:
            self._fail(_("File not found: {file}").format(file=path))
        except IsADirectoryError:
            self._fail(_("{file} is a folder, not a file.").format(file=path))
        except OSError as exc:
            self._fail(_("Cannot read {file}: {error}.").format(file=path, error=exc.strerror))

    def _fail(self, message: str):
        self.stderr.write(message)
        raise SystemExit(2)
