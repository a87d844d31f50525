"""The ``netral`` command: Django's management commands with Netral's settings.

``netral demo``, ``netral serve`` and every ``manage.py`` command (``netral migrate``,
``netral createsuperuser``…)."""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netral.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["netral", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
