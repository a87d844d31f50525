import os
import shutil
import socket
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.urls import reverse


def lan_address() -> str:
    """The address other devices on the LAN reach this machine at.

    A UDP ``connect`` only picks the outgoing interface; it sends no packet."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1, never routed; nothing is sent
        address = probe.getsockname()[0]
    except OSError:
        address = "127.0.0.1"
    finally:
        probe.close()
    return address


class Command(BaseCommand):
    help = "Run Netral's production server (granian, ASGI front, Django on persistent threads)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("NETRAL_HOST", "0.0.0.0"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("NETRAL_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("NETRAL_WORKERS", "0")),
                            help="Server processes (default: one per CPU core).")
        parser.add_argument("--event", help="Event code whose join QR to print (default: the current event).")
        parser.add_argument("--no-migrate", action="store_true", help="Skip migrations and collectstatic.")

    def handle(self, *args, **options):
        embedded = connection.vendor == "sqlite"
        if not options["no_migrate"]:
            if embedded or os.environ.get("NETRAL_MIGRATE_ON_SERVE"):
                call_command("migrate", interactive=False, verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)
        host, port = options["host"], options["port"]
        address = lan_address() if host in ("0.0.0.0", "::") else host
        base = settings.NETRAL_PUBLIC_URL or f"http://{address}:{port}"
        self._banner(base, options.get("event"))
        workers = options["workers"] or os.cpu_count() or 1
        beside = os.path.join(os.path.dirname(sys.executable), "granian")  # this environment's own first
        granian = beside if os.access(beside, os.X_OK) else shutil.which("granian")
        argv = [
            granian, "--interface", "asgi", "--host", host, "--port", str(port),
            "--workers", str(workers), "--loop", "auto", "--no-ws",
            # Live streams are open requests: granian's default (backlog / workers, 512 for
            # two workers) would cap the subscribers of a board. Allow many per worker.
            "--backlog", os.environ.get("NETRAL_BACKLOG", "2048"),
            "--backpressure", os.environ.get("NETRAL_MAX_CONNECTIONS", "10000"),
            "--log-level", os.environ.get("NETRAL_SERVER_LOG", "warning"),
            "netral.asgi:application",
        ]
        sys.stdout.flush()
        # One BLAS thread per worker: threaded BLAS spins against the server's own threads
        # (bench/stats_bench.py measured 0.19 s → 6.7 s under load).
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        os.execv(granian, argv)

    def _banner(self, base: str, code: str | None):
        from netral.core.qr import qr_terminal
        from netral.events.selectors import current_event

        event = current_event(code)
        if event:
            url = base + reverse("events:join_short", kwargs={"code": event.code})
            title = f"{event.title}  (kode {event.code})"
        else:
            url, title = base + "/", "Netral"
        mode = "SQLite (embedded)" if connection.vendor == "sqlite" else connection.vendor
        self.stdout.write(qr_terminal(url))
        self.stdout.write("")
        self.stdout.write(f"  Netral {settings.NETRAL_VERSION} — {mode}")
        self.stdout.write(f"  {title}")
        self.stdout.write(f"  Peserta bergabung / participants join:  {url}")
        self.stdout.write(f"  Panitia / organisers:                   {base}/panitia/")
        self.stdout.write(f"  Di laptop ini / on this laptop:         http://127.0.0.1:{self._port(base)}/")
        self.stdout.write("")

    @staticmethod
    def _port(base: str) -> str:
        return base.rsplit(":", 1)[-1].split("/")[0] if base.count(":") >= 2 else "80"
