"""Writes to the knowledge base: every edit is a reversion revision with its author."""

import reversion
from django.db import transaction

from netral.core.audit import log_action

from .selectors import invalidate_index


@transaction.atomic
def save_content(obj, *, user, comment: str = ""):
    """Save an edited content object, mark it edited (shipped content no longer overwrites
    it), keep a revision and invalidate the self-check index."""
    with reversion.create_revision():
        obj.edited = True
        obj.full_clean()
        obj.save()
        reversion.set_user(user)
        reversion.set_comment(comment or "edit")
    log_action(obj, f"netral.knowledge.{obj._meta.model_name}.changed", user=user, data={"comment": comment})
    invalidate_index()  # this process at once,
    transaction.on_commit(invalidate_index)  # and again once others can read the change
    return obj
