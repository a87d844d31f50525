from django.contrib import admin

from .models import StateDeadline


@admin.register(StateDeadline)
class StateDeadlineAdmin(admin.ModelAdmin):
    """Deadlines are the only complaint data edited in the admin: cases change only through
    the verifier pages (services), so every change is in the case history."""

    list_display = ["state", "days", "anchor", "basis"]
