"""The fixed national list a benchmark file is written in, and how this council's own
vocabularies map to it.

Each council keeps its own strands and case types (administrator-edited tables, with slugs of
its choosing), so two councils' files can only be added up once both are written in one list:
the categories of the Department for Education's children's social care statistics (children in
need and child protection plans, looked-after children, care leavers, adoption, special
guardianship, private fostering, disabled children, unaccompanied asylum-seeking children) and
early help. A council's slug that is a national code maps to it; any other maps to what the
settings BENCHMARK_STRANDS / BENCHMARK_CASE_TYPES say ("council_slug=national_code, ..."), or
else to OTHER. Changing this list is a new schema version (schema.SCHEMA).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

OTHER = "other"

STRANDS: dict[str, str] = {
    "social_care": _("Children's social care"),
    "early_help": _("Early help"),
    OTHER: _("Other"),
}

CASE_TYPES: dict[str, str] = {
    "child_in_need": _("Child in need"),
    "child_protection": _("Child protection plan"),
    "looked_after": _("Looked-after child"),
    "care_leaver": _("Care leaver"),
    "adoption": _("Adoption"),
    "special_guardianship": _("Special guardianship"),
    "private_fostering": _("Private fostering"),
    "children_with_disabilities": _("Disabled children"),
    "unaccompanied_asylum_seeking": _("Unaccompanied asylum-seeking child"),
    "early_help": _("Early help"),
    OTHER: _("Other"),
}

# The standard tool's domains, by number: the same twelve in every council's tool.
DOMAIN_NUMBERS: tuple[int, ...] = tuple(range(1, 13))


@dataclass(frozen=True)
class Vocabulary:
    """One national list and the setting that maps a council's slugs onto it."""

    name: str  # as a person reads it: "strand", "case type"
    codes: dict[str, str]
    setting: str

    def mapping(self) -> dict[str, str]:
        """The setting as {council slug: national code}; ImproperlyConfigured naming the
        setting when an entry is malformed or names no national code."""
        value = getattr(settings, self.setting, "") or ""
        if isinstance(value, dict):
            pairs = list(value.items())
        else:
            pairs = []
            for entry in str(value).split(","):
                if not entry.strip():
                    continue
                slug, equals, code = entry.partition("=")
                if not equals or not slug.strip():
                    raise ImproperlyConfigured(
                        f"{self.setting}: “{entry.strip()}” is not council_slug=national_code."
                    )
                pairs.append((slug.strip(), code.strip()))
        for slug, code in pairs:
            if code not in self.codes:
                raise ImproperlyConfigured(
                    f"{self.setting}: “{code}” (for {slug}) is not a national {self.name} "
                    f"(use one of {', '.join(self.codes)})."
                )
        return dict(pairs)

    def national(self, slug: str, mapping: dict[str, str] | None = None) -> str:
        """The national code a council's ``slug`` is counted under."""
        mapping = self.mapping() if mapping is None else mapping
        if slug in mapping:
            return mapping[slug]
        return slug if slug in self.codes else OTHER


STRAND = Vocabulary("strand", STRANDS, "BENCHMARK_STRANDS")
CASE_TYPE = Vocabulary("case type", CASE_TYPES, "BENCHMARK_CASE_TYPES")
