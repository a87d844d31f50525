import pytest


@pytest.fixture(autouse=True)
def shipped_content(db):
    """The migration loads the shipped content; transactional tests elsewhere flush it."""
    from netral.knowledge.loader import load_content
    from netral.knowledge.models import Behaviour
    from netral.knowledge.selectors import invalidate_index

    if not Behaviour.objects.exists():
        load_content()
    invalidate_index()
