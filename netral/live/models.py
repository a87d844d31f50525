from django.db import models


class LiveEvent(models.Model):
    """One message of an event's live stream (questions, votes, answers…).

    The id is the SSE event id: a client that reconnects with ``Last-Event-ID`` is sent
    every later row of its event, so nothing is missed across drops or processes."""

    event_id = models.BigIntegerField(db_index=False)
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["event_id", "id"], name="live_event_replay")]

    def __str__(self):
        return f"{self.event_id}#{self.pk} {self.kind}"
