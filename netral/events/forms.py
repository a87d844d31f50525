from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import Method, ParticipantKind
from .models import Event, Session, Speaker


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(forms.ModelForm):
    methods = forms.MultipleChoiceField(
        label=_("Method"), choices=Method.choices, widget=forms.CheckboxSelectMultiple, required=False,
        initial=[Method.LECTURE, Method.DISCUSSION, Method.EVALUATION],
    )

    class Meta:
        model = Event
        fields = [
            "title", "theme", "description", "methods", "starts_at", "ends_at", "venue_name",
            "venue_address", "organiser_name", "partner_name", "audience", "expected_participants",
            "allow_self_registration",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "venue_address": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class SpeakerForm(forms.ModelForm):
    class Meta:
        model = Speaker
        fields = ["title_prefix", "name", "title_suffix", "institution", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["order", "title", "starts_at", "ends_at", "summary", "speakers"]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "speakers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.event = event
        self.fields["speakers"].queryset = event.speakers.all()
        self.fields["speakers"].help_text = _("Add speakers first on the event page if the list is empty.")

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PPTX, DOCX or an image; the type is checked by its content."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.pptx,.docx,.png,.jpg,.jpeg,.webp,.gif"}),
    )


class ParticipantForm(forms.Form):
    """Identity fields; validation itself lives in services.participants.clean_identity."""

    kind = forms.ChoiceField(label=_("Participant type"), choices=ParticipantKind.choices, initial=ParticipantKind.PNS)
    nip = forms.CharField(
        label=_("NIP / NI PPPK"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "19860926 201505 1 001"}),
        help_text=_("18 digits; spaces are allowed."),
    )
    name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    agency = forms.CharField(label=_("Agency / institution"), max_length=200, required=False)
    unit = forms.CharField(label=_("Work unit"), max_length=200, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    rank = forms.CharField(label=_("Rank / grade (optional)"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    email = forms.CharField(label=_("Email (optional)"), max_length=254, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "email"}))

    def clean(self):
        from django.core.exceptions import ValidationError  # noqa: PLC0415 -- thin method

        from .services.participants import clean_identity  # noqa: PLC0415 -- circular import

        data = super().clean()
        try:
            self.identity = clean_identity(data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data


class JoinForm(forms.Form):
    """What a participant types on their phone: NIP, or name + institution."""

    nip = forms.CharField(
        label=_("NIP or NI PPPK"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )
    name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    agency = forms.CharField(label=_("Agency / institution"), max_length=200, required=False)
    unit = forms.CharField(label=_("Work unit"), max_length=200, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
