"""``manage.py analyse_operation CODE [CODE ...] --user USERNAME``: run a network analysis
from the shell, as that user may see the operations, with a progress bar; then print
where the results are and, with --report, write the report files."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import User
from network_analysis import services
from network_analysis.analysis import PARAMETERS
from network_analysis.models import AnalysisRun
from network_analysis.reports import REPORT_FORMATS, render_report
from operations.models import Operation
from operations.selectors import operation_list_for_user

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Analyse operations (by code) as a user, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument(
            "codes",
            nargs="+",
            help="Operation codes; CODE@LEAD (the lead agency's acronym) when the user sees "
            "two operations with one code.",
        )
        parser.add_argument("--user", required=True, help="Username of the analyst.")
        for name, (kind, low, high, default) in PARAMETERS.items():
            parser.add_argument(
                f"--{name.replace('_', '-')}", type=kind, help=f"{low}..{high} (default {default})"
            )
        parser.add_argument(
            "--report",
            metavar="DIR",
            help=f"Write the report ({', '.join(REPORT_FORMATS)}, both editions) into DIR.",
        )

    def handle(self, *args, codes, user, report=None, **options):
        analyst = User.objects.filter(username=user, is_active=True).first()
        if analyst is None:
            raise CommandError(f"No active user {user}.")
        operations = [self._operation(analyst, code) for code in codes]
        parameters = {k: options[k] for k in PARAMETERS if options.get(k) is not None}
        try:
            run = services.run_create(actor=analyst, operations=operations, parameters=parameters)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Run {run.pk}: {run.hit_count} hits")
        run = services.run_execute(run.pk, on_progress=self._bar)
        self.stdout.write("")
        if run.state != AnalysisRun.State.SUCCEEDED:
            raise CommandError(f"The run failed: {run.error}")
        note = " (reused the results of an identical earlier run)" if run.reused_from_id else ""
        self.stdout.write(self.style.SUCCESS(f"Done{note}; fingerprint {run.fingerprint[:16]}."))
        if report:
            self._write_reports(run, Path(report))

    @staticmethod
    def _operation(analyst: User, given: str) -> Operation:
        """The operation `given` names among those the analyst sees (codes are unique only
        among the operations one can see, so two may share a code)."""
        code, _, lead = given.partition("@")
        found = operation_list_for_user(analyst).filter(code=code).select_related("lead_agency")
        if lead:
            found = found.filter(lead_agency__acronym=lead)
        found = list(found[:2])
        if not found:
            raise CommandError(f"No operation {given} that {analyst.username} can see.")
        if len(found) > 1:
            leads = " or ".join(f"{code}@{o.lead_agency.acronym}" for o in found)
            raise CommandError(f"{analyst.username} sees more than one {code}: give {leads}.")
        return found[0]

    def _bar(self, percent: int, stage: str) -> None:
        filled = BAR_WIDTH * percent // 100
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stdout.write(f"\r[{bar}] {percent:3d}% {stage[:50]:<50}", ending="")
        self.stdout.flush()

    def _write_reports(self, run: AnalysisRun, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for result in run.results.all():
            for fmt in REPORT_FORMATS:
                content, _ = render_report(result.results, fmt)
                path = directory / f"report-{result.edition}.{fmt}"
                path.write_bytes(content)
                self.stdout.write(f"Wrote {path}")
