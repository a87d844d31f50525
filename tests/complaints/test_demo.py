import pytest

from netral.complaints.demo import PREFIX, load_demo_complaints
from netral.complaints.enums import ComplaintState
from netral.complaints.models import Complaint

pytestmark = pytest.mark.django_db


def test_demo_covers_every_state_and_is_idempotent(verifier):
    first = load_demo_complaints(verifier=verifier)
    events = sum(c.events.count() for c in Complaint.objects.all())
    second = load_demo_complaints(verifier=verifier)

    assert first == second == 30 == Complaint.objects.count()
    assert sum(c.events.count() for c in Complaint.objects.all()) == events
    assert set(Complaint.objects.values_list("state", flat=True)) == set(ComplaintState.values)
    assert all(c.description.startswith(PREFIX) for c in Complaint.objects.all())
    assert set(Complaint.objects.values_list("regency_code", flat=True)) == {"33.29"}
    assert Complaint.objects.filter(awaiting_reply=True).count() == 2
