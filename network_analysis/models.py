"""What analysis keeps: analysts' decisions on entity suggestions, and analysis runs
with their results.

Nothing here changes a hit or an actor: two actor rows are "the same entity" only in
the analysis, through identifiers they share or a confirmed :class:`EntityDecision`;
a later decision on the same pair supersedes the earlier one, which stays.
"""

import uuid

from django.conf import settings
from django.db import models


class EntityDecision(models.Model):
    """An analyst's answer to "are these two actors the same person or company?".

    ``split`` undoes an automatic merge (docs/analysis.md, "Entity resolution"): like
    ``rejected`` it keeps the pair apart whatever the evidence, and it records the
    evidence it overruled."""

    class Verdict(models.TextChoices):
        CONFIRMED = "confirmed", "Same entity"
        REJECTED = "rejected", "Different entities"
        SPLIT = "split", "Automatic merge split"

    actor_a = models.ForeignKey("operations.Actor", on_delete=models.CASCADE, related_name="+")
    actor_b = models.ForeignKey("operations.Actor", on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    score = models.FloatField(help_text="The suggestion's score when it was decided.")
    reason = models.TextField(blank=True)
    evidence = models.JSONField(
        default=list,
        blank=True,
        help_text="For a split: the automatic merges of the entity it overruled "
        '([{"actors": [a, b], "rule": ..., "evidence": ...}]).',
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["actor_a", "actor_b", "-decided_at", "-id"]
        indexes = [models.Index(fields=["actor_a", "actor_b"])]
        constraints = [
            models.CheckConstraint(
                name="entity_decision_pair_ordered",
                condition=models.Q(actor_a__lt=models.F("actor_b")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor_a_id}~{self.actor_b_id}: {self.verdict}"


class AnalysisRun(models.Model):
    """One network analysis of one or several operations, as its creator may see them."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operations = models.ManyToManyField("operations.Operation", related_name="analysis_runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="analysis_runs"
    )
    parameters = models.JSONField(default=dict)
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the input graphs and the parameters."
    )
    reused_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent.")
    stage = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    hit_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["fingerprint", "state"])]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)


class AnalysisResult(models.Model):
    """The results of a run in one edition: "full" (as the creator may see it) or
    "redacted" (for a wider audience: no nominal data, no RED / AMBER+STRICT hits)."""

    class Edition(models.TextChoices):
        FULL = "full", "Full"
        REDACTED = "redacted", "Redacted"

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="results")
    edition = models.CharField(max_length=16, choices=Edition.choices)
    results = models.JSONField(help_text="See docs/analysis.md for the layout.")
    graph = models.BinaryField(help_text="The entity graph, gzip-compressed node-link JSON.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "edition"], name="one_result_per_edition")
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.edition}"
