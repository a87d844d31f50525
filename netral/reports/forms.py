from django import forms
from django.utils.translation import gettext_lazy as _

from .codes import NumberFormatError, check_number_format
from .models import CertificateSettings, Signatory

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


class ReportTextForm(forms.Form):
    conclusions = forms.CharField(label=_("Conclusions"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 10}))
    recommendations = forms.CharField(label=_("Recommendations"), required=False, max_length=20000,
                                      widget=forms.Textarea(attrs={"rows": 8}))


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}))
    caption = forms.CharField(label=_("Caption"), max_length=300,
                              help_text=_("e.g. The speaker explains the neutrality rules"))


class PhotoEditForm(forms.Form):
    caption = forms.CharField(label=_("Caption"), max_length=300)
    order = forms.IntegerField(label=_("Order"), min_value=1, max_value=999, required=False)


class CertificateSettingsForm(forms.ModelForm):
    logo_upload = forms.FileField(label=_("Logo (PNG with a transparent background works best)"), required=False,
                                  widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}))
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = CertificateSettings
        fields = ["require_present", "require_post_test", "require_survey", "include_speakers",
                  "include_organisers", "title", "wording", "number_format", "place", "mask_nip_on_pdf"]
        widgets = {"wording": forms.Textarea(attrs={"rows": 3})}

    def clean_number_format(self):
        value = self.cleaned_data["number_format"].strip()
        try:
            check_number_format(value)
        except NumberFormatError:
            raise forms.ValidationError(_("Use only the fields {seq}, {code}, {month}, {year} and {role}; "
                                          "{seq} is required.")) from None
        return value


class SignatoryForm(forms.ModelForm):
    signature_upload = forms.FileField(label=_("Signature image (optional)"), required=False,
                                       widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}))

    class Meta:
        model = Signatory
        fields = ["order", "name", "position", "nip"]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), min_length=5, max_length=1000)
