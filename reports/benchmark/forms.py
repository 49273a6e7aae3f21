"""The benchmark page's form: several councils' benchmark files, uploaded to compare."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.forms import AccessibleFormMixin

# A benchmark file is a few kilobytes; these leave room and keep a page's memory small.
MAX_FILE_BYTES = 1024 * 1024
MAX_FILES = 30


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented way): cleans each, gives a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".json,application/json"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, (list, tuple)):
            if not data:
                return [one(None, initial)]  # the field's "required" message
            return [one(item, initial) for item in data]
        return [one(data, initial)]


class BenchmarkUploadForm(AccessibleFormMixin, forms.Form):
    # Each message names its file ("north.json: is not valid JSON"), or the files.
    summary_names_fields = False

    files = MultipleFileField(
        label=gettext_lazy("Benchmark files"),
        help_text=gettext_lazy(
            "The JSON files councils made with “Download this council’s file” or "
            "benchmark_export, your own among them: select them all at once."
        ),
        error_messages={
            "required": gettext_lazy("Select one or more benchmark files"),
            "empty": gettext_lazy("A selected file is empty"),
            "invalid": gettext_lazy("Select one or more benchmark files"),
        },
    )

    def clean_files(self) -> list:
        uploads = self.cleaned_data["files"]
        if len(uploads) > MAX_FILES or any(getattr(u, "too_many", False) for u in uploads):
            raise forms.ValidationError(
                _("Select at most %(n)s files") % {"n": MAX_FILES}, code="too_many"
            )
        problems = []
        for upload in uploads:
            if getattr(upload, "too_big", False) or upload.size > MAX_FILE_BYTES:
                problems.append(
                    _("%(file)s: is larger than a benchmark file can be (1 MB)")
                    % {"file": upload.name}
                )
            elif not upload.name.lower().endswith(".json"):
                problems.append(
                    _("%(file)s: is not a benchmark file (its name ends .json)")
                    % {"file": upload.name}
                )
        if problems:
            raise forms.ValidationError(problems)
        self.files_read = [(upload.name, upload.read()) for upload in uploads]
        return uploads
