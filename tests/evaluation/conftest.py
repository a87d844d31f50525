import pytest
from django.urls import reverse

from netral.evaluation import services
from netral.evaluation.models import Test
from tests.factories.events import ParticipantFactory


@pytest.fixture
def bank(db):
    return services.load_default_bank()


@pytest.fixture
def pre_test(event, bank):
    return services.create_test(event, Test.Kind.PRE, count=10)


@pytest.fixture
def post_test(event, pre_test):
    return services.create_test(event, Test.Kind.POST)


@pytest.fixture
def participant(event):
    return ParticipantFactory(event=event, name="Siti")


@pytest.fixture
def phone(client, event, participant):
    """A phone that joined the event (the signed participant cookie)."""
    client.post(reverse("events:join", kwargs={"code": event.code}), {"nip": participant.nip})
    client.participant = participant
    return client


def correct_answers(attempt) -> dict:
    """The key of every item of the attempt's test: {test item id: option ids}."""
    out = {}
    for ti in attempt.test.test_items.select_related("version__item"):
        if ti.version.item.type == "short":
            out[str(ti.pk)] = ti.version.answers[0]["text"] if ti.version.answers else ""
        else:
            out[str(ti.pk)] = [o["id"] for o in ti.version.options if o.get("correct")]
    return out


def wrong_answers(attempt) -> dict:
    out = {}
    for ti in attempt.test.test_items.select_related("version__item"):
        wrong = [o["id"] for o in ti.version.options if not o.get("correct")]
        out[str(ti.pk)] = wrong[:1]
    return out
