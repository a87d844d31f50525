from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Behaviour, Synonym


class LinesField(forms.CharField):
    """A list edited as one item per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class BehaviourForm(forms.ModelForm):
    conditions = LinesField(label=_("Conditions (one per line)"), required=False)
    examples = LinesField(label=_("Examples (one per line)"), required=False)
    counter_examples = LinesField(label=_("Counter-examples (one per line)"), required=False)
    phrasings = LinesField(label=_("Everyday phrasings for the self-check (one per line)"), required=False)
    comment = forms.CharField(label=_("What did you change?"), max_length=200, required=False)

    class Meta:
        model = Behaviour
        fields = ["title", "title_en", "verdict", "contested", "contested_note", "topic", "summary", "summary_en",
                  "conditions", "sanctions", "sanction_text", "legal_basis_text", "examples", "counter_examples",
                  "phrasings"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}), "summary_en": forms.Textarea(attrs={"rows": 2}),
            "contested_note": forms.Textarea(attrs={"rows": 2}), "sanction_text": forms.Textarea(attrs={"rows": 3}),
            "legal_basis_text": forms.Textarea(attrs={"rows": 2}), "sanctions": forms.CheckboxSelectMultiple,
        }

    def clean(self):
        data = super().clean()
        if len(data.get("examples") or []) < 2:
            self.add_error("examples", _("Give at least two examples."))
        if len(data.get("counter_examples") or []) < 2:
            self.add_error("counter_examples", _("Give at least two counter-examples."))
        if not (data.get("legal_basis_text") or "").strip():
            self.add_error("legal_basis_text", _("Every rule needs its legal basis."))
        return data


class SynonymForm(forms.ModelForm):
    class Meta:
        model = Synonym
        fields = ["term", "expansion"]

    def clean_term(self):
        return self.cleaned_data["term"].strip().lower()

    def clean_expansion(self):
        return self.cleaned_data["expansion"].strip().lower()


class SelfCheckForm(forms.Form):
    q = forms.CharField(label=_("Describe the situation"), max_length=300, required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("e.g. saya like postingan paslon di IG"),
                                                      "autocomplete": "off"}))


def content_form(model_class, field_names):
    """A ModelForm for one editable content model (pages, FAQ, regulations, articles, sanctions)."""
    from django.forms import modelform_factory  # noqa: PLC0415 -- leaf

    widgets = {name: forms.Textarea(attrs={"rows": 8 if name.startswith("body") else 4})
               for name in field_names if name in {"body", "body_en", "answer", "answer_en", "summary", "summary_en",
                                                     "text", "text_en", "note", "status_note", "legal_basis_text"}}
    form_class = modelform_factory(model_class, fields=field_names, widgets=widgets)
    form_class.base_fields["comment"] = forms.CharField(label=_("What did you change?"), max_length=200,
                                                        required=False)
    return form_class
