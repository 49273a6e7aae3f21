"""The upload form: one CSV file, checked for what can be told before reading its rows."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.forms import AccessibleFormMixin

# What a file that is no CSV starts with, and what to call it: the mistakes people make.
_NOT_CSV = (
    (b"PK\x03\x04", gettext_lazy("an Excel workbook (.xlsx) or another zipped file")),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("an older Excel workbook (.xls)")),
    (b"%PDF", gettext_lazy("a PDF")),
)
CSV_EXTENSIONS = (".csv", ".txt")


def size_in_mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


class UploadForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        error_messages={
            "required": gettext_lazy("Select a CSV file"),
            "empty": gettext_lazy("The selected file is empty"),
            "invalid": gettext_lazy("Select a CSV file"),
        },
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = settings.IMPORT_MAX_UPLOAD_BYTES
        self.fields["file"].help_text = _(
            "Save it from the spreadsheet as “CSV UTF-8”. It must be smaller than %(mb)s MB."
        ) % {"mb": size_in_mb(self.limit)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if getattr(upload, "too_big", False) or upload.size > self.limit:
            raise forms.ValidationError(
                _("The selected file must be smaller than %(limit)s MB (it is %(size)s MB)")
                % {"limit": size_in_mb(self.limit), "size": size_in_mb(upload.size)},
                code="too_big",
            )
        if not upload.name.lower().endswith(CSV_EXTENSIONS):
            raise forms.ValidationError(
                _("The selected file must be a CSV file (its name ends .csv)"), code="not_csv"
            )
        data = upload.read()
        if not data.removeprefix(b"\xef\xbb\xbf").strip():  # nothing, or only blank lines
            raise forms.ValidationError(_("The selected file is empty"), code="empty")
        for start, what in _NOT_CSV:
            if data.startswith(start):
                raise forms.ValidationError(
                    _(
                        "The selected file is %(what)s, not a CSV file. Open it in the "
                        "spreadsheet and save it as “CSV UTF-8”"
                    )
                    % {"what": what},
                    code="not_csv",
                )
        self.data_bytes = data
        return upload
