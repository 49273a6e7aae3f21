"""python manage.py draw_sample --activity NAME --seed S (--size N | --per-team N) [...]: a random
sample of the case list for an audit activity, printed as one JSON list of case references."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audits.cases.sampling import DrawError
from audits.cases.services import Criteria, draw_sample
from audits.csv.contract import parse_date
from audits.csv.reading import vocabulary, vocabulary_error
from audits.models import AuditActivity, CaseType, Strand, Team
from audits.rules import null_character_error


class Command(BaseCommand):
    help = (
        "Draw cases for an audit activity at random with a seed, allocate them evenly to its "
        "auditors and record the draw (not with --dry-run). Prints the case references drawn "
        "as one JSON list on standard output; everything else goes to standard error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--activity", required=True, metavar="NAME", help="the activity")
        parser.add_argument(
            "--month",
            metavar="YYYY-MM",
            help="the activity's month, where several activities have its name",
        )
        parser.add_argument(
            "--seed", required=True, metavar="S", help="any text; the same seed, the same draw"
        )
        parser.add_argument("--size", type=int, metavar="N", help="draw N cases in all")
        parser.add_argument(
            "--per-team",
            type=int,
            metavar="N",
            help="draw N cases from every team (all of a team's where it has fewer)",
        )
        for name, what in (("strand", "strand"), ("case-type", "case type"), ("team", "team")):
            parser.add_argument(
                f"--{name}",
                action="append",
                default=[],
                metavar="CODE",
                help=f"only cases of this {what} (slug or name; repeat for several)",
            )
        parser.add_argument(
            "--exclude-audited-months",
            type=int,
            metavar="M",
            help="leave out cases with an audit past draft dated in the last M months",
        )
        parser.add_argument(
            "--exclude-own-team",
            action="store_true",
            help="peer audit: no auditor is allocated a case of their own team",
        )
        parser.add_argument(
            "--at-least-one-per-holder",
            action="store_true",
            help="with --size: at least one case of every case holder",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print the draw without recording it"
        )
        parser.add_argument(
            "--by", metavar="USERNAME", help="the user recorded as drawing (default: nobody)"
        )

    def handle(self, *args, **options):
        for name in ("activity", "month", "seed", "by"):
            if options[name] and (error := null_character_error(options[name], f"--{name}")):
                raise CommandError(error)
        activity = self._activity(options["activity"], options["month"])
        by = self._user(options["by"]) if options["by"] else None
        criteria = Criteria(
            size=options["size"],
            per_team=options["per_team"],
            strands=self._entries(Strand, options["strand"], "strand"),
            case_types=self._entries(CaseType, options["case_type"], "case_type"),
            teams=self._entries(Team, options["team"], "team"),
            exclude_audited_months=options["exclude_audited_months"],
            exclude_own_team=options["exclude_own_team"],
            at_least_one_per_holder=options["at_least_one_per_holder"],
        )
        try:
            result = draw_sample(
                activity=activity,
                seed=options["seed"],
                criteria=criteria,
                by=by,
                dry_run=options["dry_run"],
            )
        except DrawError as exc:
            raise CommandError(exc.message) from None

        self.stdout.write(json.dumps(result.case_references))
        summary = (
            f"Drew {len(result.cases)} of {result.eligible} eligible case(s) for {activity} "
            f"with seed “{options['seed']}”"
        )
        if result.record is None:
            summary += " (dry run: nothing recorded)."
        else:
            summary += f"; recorded as draw {result.record.pk}."
        self.stderr.write(summary)
        counts: dict[int | None, int] = {}
        for auditor_id in result.auditors:
            counts[auditor_id] = counts.get(auditor_id, 0) + 1
        if None in counts:
            self.stderr.write("The activity has no auditors: the cases are not allocated.")
        else:
            user_model = get_user_model()
            names = dict(
                user_model.objects.filter(pk__in=counts).values_list(
                    "pk", user_model.USERNAME_FIELD
                )
            )
            for auditor_id, n in sorted(counts.items(), key=lambda item: names[item[0]]):
                self.stderr.write(f"  {names[auditor_id]}: {n} case(s)")

    @staticmethod
    def _activity(name: str, month: str | None) -> AuditActivity:
        activities = AuditActivity.objects.filter(name=name)
        if month:
            try:
                first = parse_date(f"{month}-01")
            except ValueError:
                raise CommandError(f"--month “{month}” is not a month written YYYY-MM.") from None
            activities = activities.filter(month=first)
        found = list(activities.order_by("month"))
        if not found:
            raise CommandError(
                f"There is no audit activity “{name}”" + (f" in {month}." if month else ".")
            )
        if len(found) > 1:
            months = ", ".join(f"{a.month:%Y-%m}" for a in found)
            raise CommandError(
                f"Several audit activities are called “{name}” ({months}): say which with --month."
            )
        return found[0]

    @staticmethod
    def _user(username: str):
        user_model = get_user_model()
        try:
            return user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"There is no user “{username}”.") from None

    @staticmethod
    def _entries(model, values: list[str], column: str) -> list:
        if not values:
            return []
        lookup = vocabulary(model)
        pks = []
        for value in values:
            if error := null_character_error(value, f"--{column.replace('_', '-')}"):
                raise CommandError(error)
            pk = lookup["lookup"].get(value.strip().lower())
            if pk is None:
                raise CommandError(vocabulary_error(lookup, value, column))
            pks.append(pk)
        return list(model.objects.filter(pk__in=pks))
