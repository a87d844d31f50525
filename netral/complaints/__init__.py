"""Complaints (pengaduan): the public reporting channel, the verifiers' workflow, the
dashboard and the public statistics (GitHub issue #7).

Roles (decided here, tested in tests/complaints):

- public, no account: file a report (form or ``POST /api/complaints``), follow it and answer
  the verifier's questions with the tracking code, read the aggregate statistics;
- verifier (and superuser): every case page, the workflow, evidence files, exports and the
  letter; the only role that can open a reporter's identity, and every opening is logged
  (case history + ``AuditLog`` ``netral.complaint.identity_viewed``);
- organiser: the dashboard aggregates (counts, time series, median, before/after
  socialization, XLSX of the figures) but no case list, no subject names in duplicates, no
  evidence and no identities;
- speaker, editor: nothing beyond the public pages.

Settings read here with defaults (none needs to be in settings.py):
``NETRAL_COMPLAINTS_KEYS`` (else env ``NETRAL_COMPLAINTS_KEY``, else ``DATA_DIR/complaints_key``),
``NETRAL_COMPLAINTS_EVIDENCE_DIR`` (``DATA_DIR/complaint-evidence``),
``NETRAL_COMPLAINTS_EVIDENCE_MAX_BYTES`` (20 MB), ``NETRAL_COMPLAINTS_EVIDENCE_MAX_FILES`` (5),
``NETRAL_COMPLAINTS_MIN_FILL_SECONDS`` (4), ``NETRAL_COMPLAINTS_RATE`` ("20/10m" per IP),
``NETRAL_COMPLAINTS_TRACK_RATE`` ("60/10m" per IP), ``NETRAL_COMPLAINTS_DEADLINES``
(``{"received": 7, ...}``; see deadlines.py for the sourced defaults).
"""
