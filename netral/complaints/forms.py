"""The public report form (also used by ``POST /api/complaints``) and the staff forms."""

import time
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from netral.accounts import nip as nip_parser

from . import regions
from .enums import Channel, ComplaintState
from .evidence import EvidenceError, check_uploads, max_bytes, max_files

TIMESTAMP_SALT = "netral.complaints.form-started"
MAX_LINKS = 10
TRUE_VALUES = {"1", "true", "on", "yes", "ya"}


def min_fill_seconds() -> float:
    return float(getattr(settings, "NETRAL_COMPLAINTS_MIN_FILL_SECONDS", 4))


def new_started_token() -> str:
    return signing.dumps(time.time(), salt=TIMESTAMP_SALT)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _category_choices():
    from netral.knowledge.enums import Verdict  # noqa: PLC0415 -- leaf
    from netral.knowledge.models import Behaviour  # noqa: PLC0415 -- leaf

    rows = Behaviour.objects.exclude(verdict=Verdict.ALLOWED).order_by("code").values_list("code", "title")
    return [("", _("Choose what happened"))] + [(code, f"{code} · {title}") for code, title in rows]


def _region_choices(parent: str, empty_label):
    return [("", empty_label)] + list(regions.children(parent)) if parent is not None else [("", empty_label)]


class ComplaintForm(forms.Form):
    """What a district task force needs to act on a report (Bawaslu's material requirements:
    time and place, what happened, evidence, who is reported — regulations.md §5.3)."""

    subject_name = forms.CharField(label=_("Name of the reported civil servant"), max_length=200)
    subject_agency = forms.CharField(label=_("Agency / work unit"), max_length=200,
                                     help_text=_("e.g. Kelurahan Brebes, Dinas Pendidikan Kabupaten Brebes"))
    subject_position = forms.CharField(label=_("Position"), max_length=200, required=False)
    subject_nip = forms.CharField(label=_("NIP / NI PPPK"), max_length=30, required=False,
                                  help_text=_("18 digits. Leave empty if you do not know it."))
    category = forms.ChoiceField(label=_("What happened"), choices=())
    description = forms.CharField(
        label=_("Describe what happened"), min_length=20, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who did what, where, with whom; what you saw or heard yourself."))
    occurred_on = forms.DateField(label=_("Date of the event"), widget=forms.DateInput(attrs={"type": "date"}))
    province = forms.ChoiceField(label=_("Province"), choices=())
    regency = forms.ChoiceField(label=_("Regency / city"), choices=())
    district = forms.ChoiceField(label=_("District (kecamatan)"), choices=(), required=False)
    village = forms.ChoiceField(label=_("Village (kelurahan / desa)"), choices=(), required=False)
    links = forms.CharField(
        label=_("Links to posts"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One link per line, e.g. the social-media post."))
    evidence = MultipleFileField(label=_("Evidence"), required=False)
    anonymous = forms.ChoiceField(
        label=_("Your identity"), widget=forms.RadioSelect, initial="1",
        choices=[("1", _("Report anonymously")), ("0", _("Give my name and contact (kept encrypted)"))])
    reporter_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    reporter_contact = forms.CharField(label=_("Phone or e-mail"), max_length=150, required=False)
    truthful = forms.BooleanField(label=_("I report in good faith what I saw, heard or found."))
    # Spam defence without an outside service: a field people never see, and a minimum fill time.
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, web: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.web = web
        self.fields["category"].choices = _category_choices()
        source = self.data if self.is_bound else self.initial
        province = str(source.get("province") or "")
        regency = str(source.get("regency") or "")
        district = str(source.get("district") or "")
        self.fields["province"].choices = _region_choices("", _("Choose the province"))
        self.fields["regency"].choices = _region_choices(province if regions.is_valid(province) else None,
                                                         _("Choose the regency or city"))
        self.fields["district"].choices = _region_choices(
            regency if regency.startswith(province + ".") and regions.is_valid(regency) else None,
            _("Choose the district (optional)"))
        self.fields["village"].choices = _region_choices(
            district if district.startswith(regency + ".") and regions.is_valid(district) else None,
            _("Choose the village (optional)"))
        cap = max_bytes() // (1024 * 1024)
        self.fields["evidence"].help_text = gettext(
            "Photos (JPG, PNG, WEBP), PDF or video (MP4, MOV, WEBM, 3GP); at most {n} files of {mb} MB each. "
            "Location data (GPS) is removed from photos before they are stored.").format(n=max_files(), mb=cap)
        self.fields["evidence"].widget.attrs.update({
            "accept": "image/jpeg,image/png,image/webp,application/pdf,video/mp4,video/quicktime,video/webm,video/3gpp",
            "data-max-bytes": str(max_bytes()), "data-max-files": str(max_files()),
            "data-size-message": gettext("“%s” is larger than {mb} MB: choose a smaller file.").format(mb=cap),
            "data-count-message": gettext("Attach at most {n} files.").format(n=max_files())})
        if not web:
            for name in ("truthful", "website", "started", "province", "regency", "district", "village"):
                del self.fields[name]
            # API clients send true/false (default: anonymous, the safe choice).
            self.fields["anonymous"] = forms.CharField(required=False, initial="true")
        self.checked_files = []
        self.region_code = ""

    # --- fields --------------------------------------------------------------------------------
    def clean_subject_nip(self):
        value = self.cleaned_data.get("subject_nip", "").strip()
        if not value:
            return ""
        try:
            return nip_parser.parse_any(value).nip
        except nip_parser.NIPError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_category(self):
        from netral.knowledge.models import Behaviour  # noqa: PLC0415 -- leaf

        code = (self.cleaned_data.get("category") or "").upper()
        behaviour = Behaviour.objects.filter(code=code).first()
        if behaviour is None:
            raise forms.ValidationError(_("Choose a category from the list."))
        return behaviour

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(_("The date cannot be in the future."))
        if day < today - timedelta(days=365 * 5):
            raise forms.ValidationError(_("The date is more than five years ago."))
        return day

    def clean_links(self):
        validate = URLValidator(schemes=["http", "https"])
        lines = [line.strip() for line in (self.cleaned_data.get("links") or "").replace(",", "\n").splitlines()]
        links = [line for line in lines if line]
        if len(links) > MAX_LINKS:
            raise forms.ValidationError(_("At most {n} links.").format(n=MAX_LINKS))
        for link in links:
            try:
                if len(link) > 500:
                    raise forms.ValidationError("too long")
                validate(link)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“{link}” is not a web address (it must start with http:// or https://).").format(
                        link=link[:80])) from None
        return links

    def clean_anonymous(self):
        value = str(self.cleaned_data.get("anonymous") or "").strip().lower()
        return value in TRUE_VALUES or value == ""

    def clean_evidence(self):
        uploads = self.cleaned_data.get("evidence") or []
        try:
            self.checked_files = check_uploads(uploads)
        except EvidenceError as exc:
            raise forms.ValidationError(
                [exc.message, gettext("Attach your files again: a browser does not keep them after an error.")]
                if self.web else exc.message) from None
        return uploads

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def clean_started(self):
        token = self.cleaned_data.get("started") or ""
        try:
            started = signing.loads(token, salt=TIMESTAMP_SALT, max_age=86400)
        except signing.BadSignature:
            raise forms.ValidationError(
                _("The form has expired. Check your entries and send it again."), code="expired") from None
        if time.time() - float(started) < min_fill_seconds():
            raise forms.ValidationError(
                _("That was very fast. Check your entries and send the report again."), code="too_fast")
        return token

    # --- the whole form ------------------------------------------------------------------------
    def clean(self):
        data = super().clean()
        if self.web:
            code = ""
            for name in ("village", "district", "regency", "province"):
                if data.get(name):
                    code = data[name]
                    break
        else:
            code = regions.validate(str(self.data.get("region_code", "")))
            if not code:
                self.add_error(None, forms.ValidationError(
                    _("region_code must be a Kemendagri region code of a regency/city or below (e.g. 33.29)."),
                    code="region_code"))
        if code and regions.level(code) < 2:
            self.add_error("regency" if self.web else None,
                           _("Choose at least the province and the regency or city."))
        self.region_code = code
        if data.get("anonymous") is False:
            if not (data.get("reporter_name") or "").strip():
                self.add_error("reporter_name", _("Write your name, or choose to report anonymously."))
            if not (data.get("reporter_contact") or "").strip():
                self.add_error("reporter_contact", _("Write a phone number or e-mail, or choose to report anonymously."))
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "subject_name": d["subject_name"], "subject_agency": d["subject_agency"],
            "subject_position": d.get("subject_position", ""), "subject_nip": d.get("subject_nip", ""),
            "category": d["category"], "description": d["description"], "occurred_on": d["occurred_on"],
            "region_code": self.region_code, "links": d.get("links", []), "anonymous": d["anonymous"],
            "reporter_name": d.get("reporter_name", ""), "reporter_contact": d.get("reporter_contact", ""),
            "files": self.checked_files,
        }


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 4}))
    evidence = MultipleFileField(label=_("Additional evidence"), required=False)

    def clean_evidence(self):
        try:
            self.checked_files = check_uploads(self.cleaned_data.get("evidence") or [])
        except EvidenceError as exc:
            raise forms.ValidationError(exc.message) from None
        return []


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "placeholder": "ABCDE-FGHJK"}))


class FilterForm(forms.Form):
    """Dashboard and list filters (all optional)."""

    state = forms.ChoiceField(label=_("Status"), required=False,
                              choices=[("", _("All"))] + list(ComplaintState.choices))
    category = forms.CharField(label=_("Category code"), required=False, max_length=4)
    regency = forms.CharField(label=_("Regency code"), required=False, max_length=5)
    agency = forms.CharField(label=_("Agency"), required=False, max_length=100)
    date_from = forms.DateField(label=_("Received from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Received until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


CHANNEL_CHOICES = [("", _("Choose"))] + list(Channel.choices)
