import os
import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from netral.accounts.models import Role, User


class Command(BaseCommand):
    help = "Create or migrate the database and load the Brebes demo event (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--no-migrate", action="store_true", help="Do not run migrations first.")

    def handle(self, *args, **options):
        from netral.events.demo import load_demo

        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        password, origin = self._password()
        accounts = {}
        for username, role, first, last in (
            ("panitia", Role.ORGANISER, "Panitia", "Demo"),
            ("verifikator", Role.VERIFIER, "Verifikator", "Demo"),
        ):
            user, created = User.objects.get_or_create(
                username=username, defaults={"role": role, "first_name": first, "last_name": last,
                                             "institution": "Universitas Jenderal Soedirman"})
            if created or origin != "kept":
                user.set_password(password)
                user.role = role
                user.is_active = True
                user.save()
            accounts[username] = user
        event = load_demo(owner=accounts["panitia"])
        from netral.knowledge.loader import load_content
        from netral.knowledge.selectors import invalidate_index

        knowledge = load_content()
        invalidate_index()
        from netral.discussion.demo import load_demo_discussion

        questions = load_demo_discussion(event, answered_by=accounts["panitia"])
        from netral.evaluation.demo import load_demo_evaluation

        evaluation = load_demo_evaluation(event, owner=accounts["panitia"])
        from netral.reports.demo import load_demo_report

        report = load_demo_report(event, owner=accounts["panitia"])
        from netral.complaints.demo import load_demo_complaints

        complaints = load_demo_complaints(verifier=accounts["verifikator"])
        self.stdout.write(self.style.SUCCESS(
            "Demo loaded: {} (code {}), {} participants, {} present.".format(
                event.title, event.code, event.participants.count(), event.attendances.count())))
        self.stdout.write("Knowledge base: {behaviours} rules, {regulations} regulations, {faq} FAQ entries.".format(
            **knowledge))
        self.stdout.write(f"Discussion: {questions} questions, all answered.")
        self.stdout.write("Evaluation: pre-test, post-test and survey, {attempts} attempts.".format(**evaluation))
        self.stdout.write("Report: {photos} photos, {certificates} certificates.".format(**report))
        self.stdout.write(f"Complaints: {complaints} demo reports (Kab. Brebes).")
        if origin == "kept":
            self.stdout.write("Accounts: panitia / verifikator, password: {}  (unchanged; {})".format(
                password, self._password_file()))
        else:
            self.stdout.write("Accounts: panitia / verifikator, password: {}{}".format(
                password, "" if origin == "env" else "  (saved in {})".format(self._password_file())))

    def _password_file(self):
        return settings.DATA_DIR / "demo-password.txt"

    def _password(self):
        """NETRAL_DEMO_PASSWORD if set; else the one generated on the first run."""
        env = os.environ.get("NETRAL_DEMO_PASSWORD")
        if env:
            return env, "env"
        path = self._password_file()
        if path.exists() and User.objects.filter(username="panitia").exists():
            return path.read_text().strip(), "kept"
        password = secrets.token_urlsafe(9)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password)
        return password, "generated"
