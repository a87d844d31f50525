from django.contrib import admin

from .models import Attendance, Event, ImportBatch, Material, Participant, Session, Speaker


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ("order", "title", "starts_at", "ends_at")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "status", "starts_at", "venue_name", "owner")
    list_filter = ("status",)
    search_fields = ("title", "code", "venue_name", "organiser_name")
    filter_horizontal = ("team",)
    inlines = [SessionInline]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ("display_name", "event", "institution")
    search_fields = ("name",)


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ("title", "session", "kind", "size", "created_at")
    readonly_fields = ("kind", "extension", "content_type", "size", "sha256", "original_name", "uploaded_by")


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("name", "nip", "kind", "agency", "unit", "event")
    list_filter = ("kind",)
    search_fields = ("name", "nip", "agency")
    raw_id_fields = ("event",)


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("participant", "event", "checked_in_at", "method")
    list_filter = ("method",)
    raw_id_fields = ("participant", "event", "checked_in_by")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("filename", "event", "state", "total_rows", "created_count", "updated_count", "created_at")
    exclude = ("valid_rows",)
    readonly_fields = ("errors",)
