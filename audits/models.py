"""The audit tool and the audits made with it.

Every write goes through ``audits.services`` (or the bulk importer); nothing here changes state
on its own. A case is known only by its case reference, never by a child's name.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .grades import OVERALL_GRADES, Grade
from .revisions import Revised
from .tools.kinds import STANDARD_FAMILY, ActivityKind, QuestionKind


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_MODERATION = "in_moderation", _("In moderation")
    RETURNED = "returned", _("Returned to auditor")
    COMPLETED = "completed", _("Completed")


class Written(models.Value):
    """A constant written into the SQL itself rather than sent as a parameter, for conditions
    that partial indexes share. SQLite uses a partial index only where a query's condition
    implies the index's when the statement is prepared: with ``NOT (status = ?)`` it still
    chose the index but read each row from the table to check its state (a case type's count
    of 1,800 audits: 3.4 ms, against 0.2 ms with ``'draft'`` written in). PostgreSQL's driver
    writes parameters in anyway. Letters and underscores only, so nothing needs quoting."""

    def __init__(self, value: str):
        if not value.replace("_", "").isalpha():
            raise ValueError(f"{value!r}: only letters and underscores are written into SQL")
        super().__init__(value, output_field=models.CharField())

    def as_sql(self, compiler, connection):
        return f"'{self.value}'", []


def past_draft(prefix: str = "") -> Q:
    """Audits past draft (``prefix`` reaches the audit through a relation, "audit__"): the
    condition of the partial indexes on audits (Audit.Meta.indexes), written so that SQLite
    can tell a query's condition is the index's."""
    return ~Q(**{f"{prefix}status": Written(Status.DRAFT.value)})


class Vocabulary(models.Model):
    """A short list an administrator keeps (strands, case types, age bands, teams)."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text=_("Inactive entries stay on old audits but are not offered.")
    )

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Strand(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("strand")


class CaseType(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("case type")


class AgeBand(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("age band")


class Team(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("team")


class AuditTool(models.Model):
    """One version of an audit tool. An audit keeps the version it was made with.

    A tool's versions share a ``family``: the 12-domain tool is the ``standard`` family (its
    questions are ``Domain`` rows); a tool a QA lead builds has sections of questions
    (``ToolSection``, ``Question``) and, where it grades overall, a scale of its own
    (``ToolGrade``). A version with audits is never changed, only copied (audits.tools.services).
    """

    family = models.SlugField(
        max_length=60,
        default=STANDARD_FAMILY,
        help_text=_("The tool across its versions; 'standard' is the 12-domain tool."),
    )
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(_("what the tool is for"), blank=True)
    has_overall_grade = models.BooleanField(
        _("the auditor gives an overall grade"),
        default=True,
        help_text=_("Moderation needs an overall grade: a tool without one is not moderated."),
    )
    is_current = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="unique_tool_version"),
            models.UniqueConstraint(
                fields=["family"], condition=Q(is_current=True), name="one_current_version_per_tool"
            ),
        ]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    @property
    def is_standard(self) -> bool:
        return self.family == STANDARD_FAMILY


class Domain(models.Model):
    tool = models.ForeignKey(AuditTool, on_delete=models.PROTECT, related_name="domains")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    guidance = models.TextField(blank=True)

    class Meta:
        ordering = ["tool", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "number"], name="unique_domain_number_per_tool")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class RiskCategory(models.Model):
    """A risk a child experiences or is at risk of, recorded against domain 1."""

    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="risk_categories")
    slug = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["domain", "order"]
        verbose_name_plural = _("risk categories")
        constraints = [
            models.UniqueConstraint(fields=["domain", "slug"], name="unique_risk_slug_per_domain")
        ]

    def __str__(self):
        return self.name


class ToolGrade(models.Model):
    """One step of a built tool's own grading scale, best first (position 1)."""

    tool = models.ForeignKey(AuditTool, on_delete=models.CASCADE, related_name="grades")
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=20)
    label = models.CharField(max_length=100)
    is_good = models.BooleanField(
        _("counts as good"),
        default=False,
        help_text=_("Whether this grade counts towards the share at least good."),
    )

    class Meta:
        ordering = ["tool", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "position"], name="unique_grade_position"),
            models.UniqueConstraint(fields=["tool", "code"], name="unique_grade_code"),
        ]

    def __str__(self):
        return self.label


class ToolSection(models.Model):
    """A section of a built tool: a page of the audit's task list."""

    tool = models.ForeignKey(AuditTool, on_delete=models.CASCADE, related_name="sections")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    guidance = models.TextField(blank=True)

    class Meta:
        ordering = ["tool", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "number"], name="unique_section_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Question(models.Model):
    """A question of a built tool, answered once per audit. ``options`` lists the choices of a
    CHOICE question, in order; other kinds leave it empty."""

    section = models.ForeignKey(ToolSection, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField()
    text = models.CharField(_("question"), max_length=500)
    guidance = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(default=True)
    options = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["section__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="unique_question_number")
        ]

    def __str__(self):
        return self.text


class AuditActivity(Revised):
    """A planned piece of audit work, such as one month's look at a group of cases."""

    name = models.CharField(max_length=200)
    month = models.DateField(help_text=_("The first day of the month the activity belongs to."))
    strand = models.ForeignKey(Strand, null=True, blank=True, on_delete=models.PROTECT)
    case_types = models.ManyToManyField(CaseType, blank=True)
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    kind = models.CharField(
        _("kind of activity"),
        max_length=20,
        choices=ActivityKind.choices,
        default=ActivityKind.CASE_FILE,
    )
    tool = models.ForeignKey(
        AuditTool,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        help_text=_("The tool (and version) its audits use; empty means the standard tool."),
    )
    agencies = models.JSONField(
        _("agencies taking part"),
        default=list,
        blank=True,
        help_text=_("For a multi-agency audit: the agencies, in order."),
    )
    planned_audits = models.PositiveSmallIntegerField(
        _("planned number of audits"), null=True, blank=True
    )
    auditors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_activities",
        verbose_name=_("assigned auditors"),
    )
    due_date = models.DateField(
        _("due date"),
        null=True,
        blank=True,
        help_text=_("When the planned audits should all be submitted."),
    )
    moderation_rate = models.PositiveSmallIntegerField(
        _("moderation rate (%)"),
        default=100,
        validators=[MaxValueValidator(100)],
        help_text=_("The share of submitted audits chosen at random for moderation."),
    )
    always_moderate_not_met = models.BooleanField(
        _("always moderate audits graded Does not meet good"), default=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The activity's audits deleted under the retention schedule (audits.retention), still
    # counted in its planned-against-done figures (audits.schedule.selectors): past draft,
    # and of those completed; practice audits never.
    removed_submitted = models.PositiveIntegerField(default=0, editable=False)
    removed_completed = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-month", "name"]
        verbose_name_plural = _("audit activities")
        constraints = [
            models.UniqueConstraint(fields=["name", "month"], name="unique_activity_per_month")
        ]

    def __str__(self):
        return f"{self.name} — {self.month:%B %Y}"


class CaseRecord:
    """A record about one case: its change history (django-auditlog) is filed under the case
    reference, so the log can answer "who changed case CR-…?"."""

    # The attributes that lead from the record to its audit (none: the record is the audit).
    audit_path: tuple[str, ...] = ("audit",)

    def get_additional_data(self) -> dict:
        audit = self
        for name in self.audit_path:
            audit = getattr(audit, name)
        return {"case_reference": audit.case_reference, "audit": audit.pk}


class Audit(CaseRecord, Revised):
    """One child's case file, audited once against one version of the audit tool."""

    audit_path = ()

    tool = models.ForeignKey(AuditTool, on_delete=models.PROTECT, related_name="audits")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    case_reference = models.CharField(max_length=32, blank=True, db_index=True)
    audit_date = models.DateField(null=True, blank=True, db_index=True)
    activity = models.ForeignKey(
        AuditActivity, null=True, blank=True, on_delete=models.PROTECT, related_name="audits"
    )
    age_band = models.ForeignKey(AgeBand, null=True, blank=True, on_delete=models.PROTECT)
    strand = models.ForeignKey(Strand, null=True, blank=True, on_delete=models.PROTECT)
    case_type = models.ForeignKey(CaseType, null=True, blank=True, on_delete=models.PROTECT)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("The case holder's team."),
    )
    risk_categories = models.ManyToManyField(RiskCategory, blank=True)
    feedback_date = models.DateField(null=True, blank=True)
    feedback_with = models.CharField(max_length=200, blank=True)
    feedback_notes = models.TextField(blank=True)
    overall_grade = models.CharField(max_length=20, choices=OVERALL_GRADES, blank=True)
    overall_comments = models.TextField(blank=True)
    # Set by moderation (or by the import of historic moderated audits). The final grade of an
    # audit is the moderated grade where there is one, else the auditor's overall grade.
    moderated_grade = models.CharField(max_length=20, choices=OVERALL_GRADES, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderated_audits",
    )
    is_practice = models.BooleanField(
        default=False, help_text=_("A training audit: moderated, but never counted in figures.")
    )
    # What a practice observation observed (activity kind "observation").
    observed_event = models.CharField(
        _("what was observed"), max_length=200, blank=True, help_text=_("A meeting or a visit.")
    )
    observed_on = models.DateField(_("date observed"), null=True, blank=True)
    observed_practitioner = models.CharField(_("practitioner observed"), max_length=200, blank=True)
    # Who did an independent audit (activity kind "independent"): not an account holder.
    external_auditor = models.CharField(_("independent auditor"), max_length=200, blank=True)
    external_organisation = models.CharField(_("their organisation"), max_length=200, blank=True)
    is_imported = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-audit_date", "-pk"]
        indexes = [
            models.Index(fields=["case_reference", "audit_date"]),
            # A case's audits are looked up whatever the case typed (selectors.audits_of_case):
            # an index on the upper-cased reference serves that on PostgreSQL and SQLite alike,
            # where a case-insensitive lookup on the column would read every audit.
            models.Index(Upper("case_reference"), name="audit_case_ref_upper_idx"),
            # Covering indexes for the scrutiny report (reports.selectors): its filter and
            # grouping columns, so it reads the index and never the wide audit rows; and an
            # activity's audits by status for the schedule's planned-against-done counts.
            models.Index(
                fields=[
                    "audit_date",
                    "status",
                    "is_practice",
                    "strand",
                    "case_type",
                    "overall_grade",
                    "moderated_grade",
                ],
                name="audit_report_idx",
            ),
            models.Index(
                fields=["activity", "is_practice", "status"], name="audit_activity_status_idx"
            ),
            # The list of all audits (past draft), in its order (newest first): its pages and
            # its count read from an index alone, and no sort of the audits of one day by id.
            # Filtered by a case type, a strand or a state, the same: a case type holds a
            # tenth of the audits or so, which the databases read through the case type's own
            # index and then sorted, every one of them for any page; a rare state (a few
            # submitted among thousands completed) was looked for along the dates, through
            # every audit for its last page; a strand's count read each audit's state and
            # strand from the table (SQLite: 1.1 ms for the count at 20,000 audits, the
            # deepest pages 9-10 ms against 6.5 for the whole list's).
            models.Index(
                fields=["audit_date", "id"],
                condition=~Q(status="draft"),
                name="audit_listed_idx",
            ),
            models.Index(
                fields=["case_type", "audit_date", "id"],
                condition=~Q(status="draft"),
                name="audit_case_type_listed_idx",
            ),
            models.Index(
                fields=["status", "audit_date", "id"],
                condition=~Q(status="draft"),
                name="audit_status_listed_idx",
            ),
            models.Index(
                fields=["strand", "audit_date", "id"],
                condition=~Q(status="draft"),
                name="audit_strand_listed_idx",
            ),
            # Drift alerts (moderation.drift): each auditor's moderated audits, newest first,
            # with the two grades, so the counts and each auditor's latest N read only this
            # index (the moderated few of a million audits) and never sort.
            models.Index(
                fields=["auditor", "-audit_date", "-id"],
                include=["tool", "overall_grade", "moderated_grade"],
                condition=(
                    Q(is_practice=False, moderated_grade__gt="", audit_date__isnull=False)
                    & ~Q(status="draft")
                ),
                name="audit_moderated_latest_idx",
            ),
        ]

    def __str__(self):
        return f"Audit of {self.case_reference or 'unnamed case'} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("audits:detail", args=[self.pk])

    @property
    def final_grade(self) -> str:
        return self.moderated_grade or self.overall_grade

    def get_final_grade_display(self) -> str:
        return Grade(self.final_grade).label if self.final_grade else ""

    @property
    def needs_corrective_action(self) -> bool:
        """Past draft with a final grade of Does not meet good: its agreed actions are
        corrective and the audit page says whether they were done by their dates."""
        return self.status != Status.DRAFT and self.final_grade == Grade.DOES_NOT_MEET

    @property
    def is_editable_status(self) -> bool:
        return self.status in EDITABLE_STATUSES


EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})


class DomainGrade(CaseRecord, models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="domain_grades")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=20, choices=Grade.choices, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["audit", "domain__number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "domain"], name="one_grade_per_domain")
        ]
        # Covering for the report's domain counts and its "not met in every applicable
        # domain" probes (an audit's grades of one kind, found without reading the rows).
        indexes = [
            models.Index(fields=["audit", "grade", "domain"], name="domaingrade_audit_grade_idx")
        ]

    def __str__(self):
        return f"{self.domain.number}: {self.get_grade_display() or 'not graded'}"


def grades_with_domains() -> models.QuerySet:
    """Grades with their domains, in domain order, for prefetching an audit's grades. Ordered by
    the domain's number alone: the Meta ordering begins with the audit, and so joined the audits
    table to sort one audit's grades (PostgreSQL: 0.2-0.5 ms of planning and running on every
    audit form, task list and autosave)."""
    return DomainGrade.objects.select_related("domain").order_by("domain__number")


class Answer(CaseRecord, models.Model):
    """An audit's answer to one question of a built tool (the standard tool's are DomainGrade).

    ``value`` holds a graded answer (a ToolGrade code), a yes/no answer (YesNo) or a choice (the
    option's text); ``number``, ``date`` and ``text`` the other kinds. ``text`` is also the
    auditor's comment on a graded, yes/no or choice answer. In a dip sample ``items_checked``
    says how many items (referrals, files) the answer covers.
    """

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(max_length=200, blank=True)
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    text = models.TextField(blank=True)
    items_checked = models.PositiveIntegerField(_("items checked"), null=True, blank=True)

    class Meta:
        ordering = ["audit", "question__section__number", "question__number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "question"], name="one_answer_per_question")
        ]
        indexes = [models.Index(fields=["question", "value"], name="answer_question_value_idx")]

    def __str__(self):
        return f"{self.question}: {self.value or self.number or self.date or self.text[:40]}"

    @property
    def is_blank(self) -> bool:
        return not (self.value or self.number is not None or self.date or self.text.strip())


class AgencyContribution(CaseRecord, models.Model):
    """In a multi-agency audit, the auditor of one agency: by name and organisation, with no
    account needed."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="agency_auditors")
    agency = models.CharField(_("agency"), max_length=200)
    auditor_name = models.CharField(_("auditor's name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        ordering = ["audit", "agency", "pk"]

    def __str__(self):
        return f"{self.agency}: {self.auditor_name}"


def action_list_order() -> tuple:
    """The actions page's order: open actions first, each group by due date (no date last),
    then by id. Among open actions an earlier date comes first, so the overdue ones (open, due
    before today) lead without naming today, which lets an index hold the order."""
    closed = models.Case(
        models.When(state="open", then=models.Value(False)),
        default=models.Value(True),
        output_field=models.BooleanField(),
    )
    # "No date last" as its own key, since SQLite cannot index NULLS LAST.
    no_date = models.ExpressionWrapper(Q(due_date__isnull=True), output_field=models.BooleanField())
    return (closed, no_date, models.F("due_date"), models.F("id"))


class AgreedAction(CaseRecord, models.Model):
    class Source(models.TextChoices):
        AUDITOR = "auditor", _("Auditor")
        MODERATOR = "moderator", _("Moderator")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        NOT_NEEDED = "not_needed", _("No longer needed")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"))
    owner = models.CharField(_("by whom"), max_length=200, blank=True)
    due_date = models.DateField(_("by when"), null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.AUDITOR)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_actions",
        help_text=_(
            "The user account that answers for the action and gets reminders; "
            "when empty, the auditor who agreed it."
        ),
    )
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.OPEN, db_index=True
    )
    completed_on = models.DateField(null=True, blank=True)
    state_note = models.TextField(blank=True, help_text=_("What was done, or why not needed."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["audit", "pk"]
        # Covering for the report's action counts (reports.selectors.action_counts); and the
        # actions page's order (audits.actions.selectors.action_list), so that its first page
        # is read from the index instead of sorting every action.
        indexes = [
            models.Index(
                fields=["audit", "state", "due_date", "completed_on"], name="action_report_idx"
            ),
            models.Index(*action_list_order(), name="action_list_order_idx"),
        ]

    def __str__(self):
        return self.description[:60]


class ActionEvent(models.Model):
    """One change of an action's state, with the note of what was done or why."""

    action = models.ForeignKey(AgreedAction, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=AgreedAction.State.choices)
    to_state = models.CharField(max_length=20, choices=AgreedAction.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["action", "at", "pk"]

    def __str__(self):
        return f"{self.from_state} → {self.to_state}"


class ActionReminder(models.Model):
    """A reminder sent about an action on a day; at most one per action per day."""

    action = models.ForeignKey(AgreedAction, on_delete=models.CASCADE, related_name="reminders")
    sent_on = models.DateField()
    recipient = models.EmailField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "sent_on"], name="one_reminder_per_action_per_day"
            )
        ]

    def __str__(self):
        return f"Reminder for action {self.action_id} on {self.sent_on}"


class AuditTransition(models.Model):
    """One change of an audit's status: the history that reports and the audit trail read."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["audit", "at", "pk"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


# ---------------------------------------------------------------------------------------------
# Figures kept per month (audits.figures keeps them; reports.selectors reads them)
# ---------------------------------------------------------------------------------------------


class FigureMonth(models.Model):
    """A month whose figures are kept. Its row is also the lock that refreshes take, so two
    transactions never rebuild the same month's figures at once.

    A closed month's audits have been deleted under the retention schedule (audits.retention):
    its kept figures are all that is left of them, so they are never rebuilt again.
    """

    month = models.DateField(unique=True, help_text=_("The first day of the month."))
    refreshed_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["month"]

    def __str__(self):
        return f"{self.month:%B %Y}"


def _kept_activity():
    # A kept figure's audit activity. Deleting an activity leaves its closed months' figures
    # (whose audits retention has deleted) as figures of no activity; an activity that still
    # has audits cannot be deleted (Audit.activity protects it).
    return models.ForeignKey(
        AuditActivity, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )


class MonthFigures(models.Model):
    """The counts of one month's reportable audits of one activity, strand and case type.

    Reportable: past draft and not practice (audits.figures.reportable). Rebuilt by
    audits.figures from the audits whenever a service changes an audit of the month; never
    edited. The field names are the report's own counts (audits.figures.grade_counts).
    """

    month = models.DateField()
    activity = _kept_activity()
    strand = models.ForeignKey(Strand, null=True, on_delete=models.PROTECT, related_name="+")
    case_type = models.ForeignKey(CaseType, null=True, on_delete=models.PROTECT, related_name="+")
    audits = models.PositiveIntegerField()
    auditor_exceeds = models.PositiveIntegerField()
    auditor_meets = models.PositiveIntegerField()
    auditor_does_not_meet = models.PositiveIntegerField()
    final_exceeds = models.PositiveIntegerField()
    final_meets = models.PositiveIntegerField()
    final_does_not_meet = models.PositiveIntegerField()
    moderated = models.PositiveIntegerField()
    agreed = models.PositiveIntegerField()
    raised = models.PositiveIntegerField()
    lowered = models.PositiveIntegerField()
    not_met_in_all_applicable = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["month", "strand", "case_type"], name="monthfigures_month_idx")
        ]

    def __str__(self):
        return f"{self.month:%B %Y}: {self.audits} audits"


class MonthDomainFigures(models.Model):
    """How one month's reportable audits of one activity, strand and case type graded one
    domain (matched by number across tool versions), apart for the audits whose final grade
    is Does not meet good (the report's domain profile of those cases)."""

    month = models.DateField()
    activity = _kept_activity()
    strand = models.ForeignKey(Strand, null=True, on_delete=models.PROTECT, related_name="+")
    case_type = models.ForeignKey(CaseType, null=True, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    final_does_not_meet = models.BooleanField(default=False)
    exceeds = models.PositiveIntegerField()
    meets = models.PositiveIntegerField()
    does_not_meet = models.PositiveIntegerField()
    not_applicable = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["month", "strand", "case_type", "number"],
                name="monthdomainfigures_month_idx",
            )
        ]

    def __str__(self):
        return f"{self.month:%B %Y}: domain {self.number}"


class MonthActionFigures(models.Model):
    """The counts of one month's agreed actions (of its reportable audits) of one activity,
    strand and case type, kept as MonthFigures are (audits.figures): the services that change
    an audit or an action add the change, and a closed month keeps them after retention has
    deleted its audits. Grouped by the due date of the open actions (None for the others) so
    that what is overdue on the report's day can be counted.
    """

    month = models.DateField()
    activity = _kept_activity()
    strand = models.ForeignKey(Strand, null=True, on_delete=models.PROTECT, related_name="+")
    case_type = models.ForeignKey(CaseType, null=True, on_delete=models.PROTECT, related_name="+")
    open_due_date = models.DateField(null=True)
    raised = models.PositiveIntegerField()
    done = models.PositiveIntegerField()
    done_on_time = models.PositiveIntegerField()
    done_late = models.PositiveIntegerField()
    not_needed = models.PositiveIntegerField()
    open = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["month", "strand", "case_type"], name="monthactions_month_idx")
        ]

    def __str__(self):
        return f"{self.month:%B %Y}: {self.raised} actions"


class CaseLink(models.Model):
    """One reportable audit's place among its case's reportable audits, kept by
    audits.case_links: the case's audit just before it (``earlier``) and the date of the one
    just after it (``later_date``), in the order the re-audits use (audit date, then the order
    audits were made). A row exists for each reportable, dated audit with a case reference, and
    for no other. The report's re-audits (reports.reaudits) read the pairs from here instead of
    searching every audit of a period for an earlier and a later audit of its case."""

    # No constraint in the database (Django still cascades and sets null): checking one would
    # lock the audit's row, and a relink would then wait on (or deadlock with) a writer that
    # holds it (audits.case_links).
    audit = models.OneToOneField(
        "Audit",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="case_link",
        db_constraint=False,
    )
    audit_date = models.DateField()
    earlier = models.ForeignKey(
        "Audit", null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    later_date = models.DateField(null=True)
    # Copied from the audit, so that a report's filters read the links alone.
    activity = models.ForeignKey(
        AuditActivity, null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    strand = models.ForeignKey(
        Strand, null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    case_type = models.ForeignKey(
        CaseType, null=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    # How this audit compares with ``earlier`` (kept with the links, audits.case_links):
    # the overall final grade (improved, same, declined; blank when not compared), the
    # domains graded in both (bit n set for domain number n), and the earlier audit's agreed
    # actions as the report counts them.
    # Defaults in the database too: relink_all inserts links with plain SQL.
    overall_change = models.CharField(max_length=8, blank=True, default="", db_default="")
    domains_improved = models.BigIntegerField(default=0, db_default=0)
    domains_same = models.BigIntegerField(default=0, db_default=0)
    domains_declined = models.BigIntegerField(default=0, db_default=0)
    earlier_raised = models.PositiveIntegerField(default=0, db_default=0)
    earlier_done = models.PositiveIntegerField(default=0, db_default=0)
    earlier_done_on_time = models.PositiveIntegerField(default=0, db_default=0)
    earlier_done_late = models.PositiveIntegerField(default=0, db_default=0)
    earlier_not_needed = models.PositiveIntegerField(default=0, db_default=0)
    earlier_open = models.PositiveIntegerField(default=0, db_default=0)
    # Of the earlier audit's open actions, those with a due date, and the first and last of
    # those dates: on a report's day all of them are overdue, none, or (between the two
    # dates) the report counts them from the actions.
    earlier_open_dated = models.PositiveIntegerField(default=0, db_default=0)
    earlier_first_due = models.DateField(null=True)
    earlier_last_due = models.DateField(null=True)

    class Meta:
        indexes = [
            # A period's re-audits, found without reading the audits that are not one.
            models.Index(
                fields=["audit_date", "later_date", "audit", "earlier"],
                name="caselink_reaudit_idx",
                condition=models.Q(earlier__isnull=False),
            ),
            # The links whose earlier audit's open actions are not all past due on a day.
            models.Index(
                fields=["earlier_last_due"],
                name="caselink_open_due_idx",
                condition=models.Q(earlier_last_due__isnull=False),
            ),
        ]

    def __str__(self):
        return f"audit {self.audit_id} after {self.earlier_id}"


# ---------------------------------------------------------------------------------------------
# The security log: who opened what, and every sign-in event (audits.security writes it)
# ---------------------------------------------------------------------------------------------


class SecurityEventQuerySet(models.QuerySet):
    """Append-only: rows are added, never changed or removed in bulk."""

    def update(self, **kwargs):
        raise PermissionError("The security log is append-only.")

    def delete(self):
        raise PermissionError("The security log is append-only.")


class SecurityEvent(models.Model):
    """One entry of the append-only security log: a page or download opened, a sign-in event,
    a role change or a record deleted under the retention schedule.

    Changes to records are kept by django-auditlog (auditlog.LogEntry); ``audits.security``
    reads both logs as one for the log pages and ``manage.py security_log``.
    """

    at = models.DateTimeField(db_index=True)
    # The username is kept as text so the entry still names the person if the account goes.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, db_index=True)
    event = models.CharField(max_length=40, db_index=True)
    object = models.CharField(max_length=200, blank=True)
    case_reference = models.CharField(max_length=32, blank=True, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["username", "at"], name="securityevent_user_at_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.event} {self.object}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The security log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The security log is append-only.")


class KeptSave(models.Model):
    """A form someone posted after their session had ended (or with a CSRF token another tab
    had replaced), kept on the server so it can be offered back to them once they have signed
    in again (audits.sessions). Never kept in the browser: it may hold case content.

    Only its owner is ever shown it; it is deleted once used, discarded, or a day old.
    """

    class Reason(models.TextChoices):
        SIGNED_OUT = "signed_out", _("Signed out before it was saved")
        CSRF = "csrf", _("The page's security token had expired")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kept_saves"
    )
    # Where it was posted (and is posted again), and the page the person was on.
    path = models.CharField(max_length=500)
    page = models.CharField(max_length=500, blank=True)
    # The posted fields as [name, value] pairs, in order, repeated names included; never the
    # CSRF token, never a password (audits.sessions.keeping refuses forms that have one).
    fields = models.JSONField(default=list)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    # Sent by a script (autosave) rather than a form: restored by a script too.
    from_script = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"kept save {self.pk} ({self.path})"


# ---------------------------------------------------------------------------------------------
# The case list, its case holders and the sample draws (audits.cases writes them)
# ---------------------------------------------------------------------------------------------


class Person(models.Model):
    """Someone the app knows by name and team, with or without an account: a case holder (the
    social worker whose case it is), and anyone whose team matters.

    An auditor's team is the team of the person linked to their account (``user``): that is
    what peer audit (``draw_sample --exclude-own-team``) reads. An administrator links the
    account in the admin; an account with no person has no known team.
    """

    name = models.CharField(_("name"), max_length=200)
    # The name compared case-insensitively with single spaces: the import finds people by it.
    name_key = models.CharField(max_length=200, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name=_("account"),
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT)
    # Where the app tells a case holder (or team manager) that an audit of their case was
    # submitted (audits.holders): a person without an account has no other address; with one,
    # this is used first, and the account's email when it is blank.
    email = models.EmailField(
        _("email"),
        blank=True,
        help_text=_(
            "Where to tell them of audits of their cases. Leave blank to use their account's."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = self.key_for(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        self.name = " ".join(self.name.split())
        clash = Person.objects.filter(name_key=self.key_for(self.name)).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError(
                {"name": _("Someone of that name is known already: add what tells them apart.")}
            )

    @staticmethod
    def key_for(name: str) -> str:
        """The form under which two names are the same person: single spaces, lower case."""
        return " ".join(name.split()).lower()


class CaseImport(models.Model):
    """One import of the case list from the case management system's extract: a record."""

    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.filename or 'case list'} ({self.at:%Y-%m-%d %H:%M})"


class Case(models.Model):
    """One case on the case list, known by its case reference (never a child's name).

    One row per case whatever the letter case of its reference (the unique index on the
    upper-cased reference, as audits are matched: ``audits.rules.case_reference_key``). A newer
    extract updates the row: cases move between holders and teams.
    """

    case_reference = models.CharField(max_length=32)
    case_holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    strand = models.ForeignKey(Strand, on_delete=models.PROTECT, related_name="+")
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="+")
    age_band = models.ForeignKey(
        AgeBand, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    open_date = models.DateField()
    family_group = models.CharField(max_length=32, blank=True)
    last_import = models.ForeignKey(
        CaseImport, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case_reference"]
        constraints = [
            models.UniqueConstraint(Upper("case_reference"), name="case_reference_upper_unique")
        ]

    def __str__(self):
        return self.case_reference


class SampleDraw(models.Model):
    """A random draw of cases for an audit activity: a record, kept so the draw can be shown to
    be fair and repeated (the same case list, filters and seed give the same cases)."""

    activity = models.ForeignKey(AuditActivity, on_delete=models.PROTECT, related_name="draws")
    seed = models.CharField(max_length=100)
    # What was asked: size or per_team, the filters (vocabulary slugs), the exclusions and the
    # day the "audited in the last months" exclusion counted back from.
    criteria = models.JSONField(default=dict)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField()

    class Meta:
        ordering = ["-drawn_at", "-pk"]

    def __str__(self):
        return f"Draw {self.pk} for {self.activity} (seed {self.seed})"


class DrawnCase(models.Model):
    """One case of a draw and the auditor it is allocated to: a record.

    A case withdrawn (closed, transferred) keeps its row with the reason; its replacement is a
    new row pointing back to it, with the seed it was drawn with.
    """

    draw = models.ForeignKey(SampleDraw, on_delete=models.PROTECT, related_name="cases")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="draws")
    position = models.PositiveIntegerField()
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocated_cases",
    )
    # The case's team and holder when it was drawn (cases move; the record stays).
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    case_holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replacement"
    )
    seed = models.CharField(max_length=100, blank=True, help_text=_("A replacement's own seed."))
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["draw", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "position"], name="one_case_per_draw_position"),
            models.UniqueConstraint(fields=["draw", "case"], name="case_once_per_draw"),
        ]
        indexes = [models.Index(fields=["auditor", "withdrawn_at"], name="drawncase_auditor_idx")]

    def __str__(self):
        return f"{self.case} in draw {self.draw_id}"


# ---------------------------------------------------------------------------------------------
# Files uploaded in the browser for import (audits.imports writes them)
# ---------------------------------------------------------------------------------------------


class ImportUpload(models.Model):
    """A CSV file a QA lead uploaded in the browser to import (issue 14, item 8): kept in the
    database between the preview and "Confirm import", never on a server's disk, since several
    app servers share the one database and the confirm may reach another server.

    While it waits it holds the file's text, which confirming imports exactly (its ``sha256``
    is of the bytes uploaded). Once imported the text is emptied (the rows now live in their
    own tables) and the row stays as the record of who imported which file, when, and what it
    made. A preview nobody confirms is deleted after a while (``audits.imports.services``).
    """

    class Kind(models.TextChoices):
        AUDITS = "audits", _("Historic audits")
        CASES = "cases", _("Case list")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        IMPORTED = "imported", _("Imported")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    filename = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField(help_text=_("The file's size in bytes."))
    sha256 = models.CharField(max_length=64, db_index=True)
    text = models.TextField(blank=True)
    # What the preview (then the import) made: counts, names and the first rows, as shown.
    summary = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(db_index=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    # The case list import's own record, for a case list.
    case_import = models.ForeignKey(
        CaseImport, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return (
            f"{self.get_kind_display()}: {self.filename or 'CSV file'} ({self.get_state_display()})"
        )


# ---------------------------------------------------------------------------------------------
# Case holders in the loop: team managers and the case holder's response (audits.holders)
# ---------------------------------------------------------------------------------------------


class TeamManager(models.Model):
    """Who manages a team: told, with the case holder, when an audit of one of the team's cases
    is submitted, and (with the Case holder role) sees and may answer those audits.

    One manager per team; a person may manage several teams. Kept by administrators in the
    admin.
    """

    team = models.OneToOneField(
        Team, on_delete=models.CASCADE, related_name="manager_record", verbose_name=_("team")
    )
    manager = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="managed_teams", verbose_name=_("manager")
    )

    class Meta:
        ordering = ["team"]
        verbose_name = _("team manager")

    def __str__(self):
        return f"{self.manager} manages {self.team}"


class CaseHolderResponse(CaseRecord, Revised):
    """The case holder's answer to an audit of their case, written by
    ``audits.holders.services.holder_response_save``; one per audit, changed by saving again
    (the revision fields keep two tabs from overwriting each other)."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="holder_response")
    text = models.TextField(_("response"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case holder's response")

    def __str__(self):
        return f"Response to audit {self.audit_id}"


class ActionConfirmation(CaseRecord, models.Model):
    """The case holder's answer to one agreed action of the audit: agreed, or not (with why)."""

    class Answer(models.TextChoices):
        AGREED = "agreed", _("Agreed")
        NOT_AGREED = "not_agreed", _("Not agreed")

    audit_path = ("response", "audit")

    response = models.ForeignKey(
        CaseHolderResponse, on_delete=models.CASCADE, related_name="confirmations"
    )
    action = models.ForeignKey(
        AgreedAction, on_delete=models.CASCADE, related_name="holder_confirmations"
    )
    answer = models.CharField(max_length=20, choices=Answer.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "action"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "action"], name="one_confirmation_per_action"
            )
        ]

    def __str__(self):
        return f"{self.get_answer_display()}: action {self.action_id}"
