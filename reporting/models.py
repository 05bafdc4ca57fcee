"""The statistics store: one narrow row per case, referral and recorded visit, shaped for
counting (docs/statistics.md). Nobody writes these rows but ``reporting.facts``, which derives
them from the case tables; they hold no name, no narrative and nothing a person typed."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.models import Agency
from cases.models import Case


class AgeBand(models.TextChoices):
    """The child's age when the case was opened, in the bands of the contract."""

    UNDER_6 = "0-5", "0-5"
    FROM_6 = "6-11", "6-11"
    FROM_12 = "12-14", "12-14"
    FROM_15 = "15-17", "15-17"
    UNKNOWN = "unknown", "unknown"


class PlaceFacts(models.Model):
    """Where and who: the case's place (its path, and the province and district codes split out
    so the common scopes are an equality on an index) and the child's sex and age band."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    location_path = models.CharField(max_length=255)
    province = models.CharField(max_length=16)
    district = models.CharField(max_length=16, blank=True)
    sex = models.CharField(max_length=8)
    age_band = models.CharField(max_length=8, choices=AgeBand)

    class Meta:
        abstract = True


class CaseFields(PlaceFacts):
    """What is counted of a case, beside its place and child."""

    owner_id = models.BigIntegerField(null=True)
    source = models.CharField(max_length=20)
    risk_level = models.CharField(max_length=8, blank=True)
    stage = models.CharField(max_length=16)
    labour_sector = models.CharField(max_length=24, blank=True)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True)
    closure_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        abstract = True


class CaseFact(CaseFields):
    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [
            # Cases opened in a period, in the nation, a province or a district, or of an agency
            # (topic "cases"); the scope's equality first, then the period's range.
            models.Index(fields=["opened_on"], name="case_fact_opened_idx"),
            models.Index(fields=["province", "opened_on"], name="case_fact_province_idx"),
            models.Index(fields=["district", "opened_on"], name="case_fact_district_idx"),
            models.Index(fields=["agency", "opened_on"], name="case_fact_agency_idx"),
            # Closures in a period (topic "closures").
            models.Index(
                fields=["closed_on"],
                name="case_fact_closed_idx",
                condition=Q(closed_on__isnull=False),
            ),
            # Territories below a district (an analyst of a commune).
            models.Index(
                fields=["location_path"],
                name="case_fact_path_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"Facts of case {self.case_id}"


class CaseConcernFact(CaseFields):
    """A case once under each of its concerns, with every field of its CaseFact: a question
    about concerns (by concern, or for one) reads this table alone, where a join of the case
    facts of a year to their concerns would cost a scan of every concern row."""

    case = models.ForeignKey(CaseFact, on_delete=models.CASCADE, related_name="concern_facts")
    concern = models.CharField(max_length=48)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "concern"], name="case_concern_fact_unique"),
        ]
        indexes = [
            # Cases opened in a period by concern, and those of one concern (?concern=).
            models.Index(fields=["opened_on", "concern"], name="concern_fact_opened_idx"),
            models.Index(fields=["concern", "opened_on"], name="concern_fact_concern_idx"),
            models.Index(
                fields=["province", "opened_on", "concern"], name="concern_fact_province_idx"
            ),
            models.Index(
                fields=["district", "opened_on", "concern"], name="concern_fact_district_idx"
            ),
            models.Index(fields=["agency", "opened_on"], name="concern_fact_agency_idx"),
            models.Index(
                fields=["closed_on"],
                name="concern_fact_closed_idx",
                condition=Q(closed_on__isnull=False),
            ),
            models.Index(
                fields=["location_path"],
                name="concern_fact_path_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.concern}"


class ReferralFact(PlaceFacts):
    referral_id = models.BigIntegerField(primary_key=True)
    case = models.ForeignKey(CaseFact, on_delete=models.CASCADE, related_name="+")
    from_agency_id = models.BigIntegerField()
    to_agency_id = models.BigIntegerField()
    to_agency_type = models.CharField(max_length=24)
    urgency = models.CharField(max_length=10)
    status = models.CharField(max_length=16)
    made_on = models.DateField()
    respond_by = models.DateTimeField(null=True)
    answered_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["made_on"], name="referral_fact_made_idx"),
            models.Index(fields=["province", "made_on"], name="referral_fact_province_idx"),
            models.Index(fields=["from_agency_id", "made_on"], name="referral_fact_from_idx"),
            models.Index(fields=["to_agency_id", "made_on"], name="referral_fact_to_idx"),
            models.Index(fields=["case"], name="referral_fact_case_idx"),
        ]

    def __str__(self) -> str:
        return f"Facts of referral {self.referral_id}"


class VisitFact(PlaceFacts):
    """A follow-up visit made (with its outcome) or missed."""

    follow_up_id = models.BigIntegerField(primary_key=True)
    case = models.ForeignKey(CaseFact, on_delete=models.CASCADE, related_name="+")
    visited_on = models.DateField()
    outcome = models.CharField(max_length=10)
    months_since_reintegration = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["visited_on"], name="visit_fact_date_idx"),
            models.Index(fields=["province", "visited_on"], name="visit_fact_province_idx"),
            models.Index(fields=["agency", "visited_on"], name="visit_fact_agency_idx"),
            models.Index(fields=["case"], name="visit_fact_case_idx"),
        ]

    def __str__(self) -> str:
        return f"Facts of visit {self.follow_up_id}"


class FactsRefresh(models.Model):
    """The one row saying how current the store is: every change committed before ``as_of`` is
    counted. The incremental refresh starts again a little before it (REFRESH_OVERLAP)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    as_of = models.DateTimeField(null=True)
    full_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="facts_refresh_single_row")]

    def __str__(self) -> str:
        return f"Statistics as of {self.as_of}"


class IdentificationFact(PlaceFacts):
    """A victim identification recorded (presumed, identified or not a victim)."""

    identification_id = models.BigIntegerField(primary_key=True)
    case = models.ForeignKey(CaseFact, on_delete=models.CASCADE, related_name="+")
    identified_on = models.DateField()
    victim_status = models.CharField(max_length=16)
    identifying_agency_type = models.CharField(max_length=24, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["identified_on"], name="identification_fact_on_idx"),
            models.Index(fields=["province", "identified_on"], name="identification_fact_prov_idx"),
            models.Index(fields=["agency", "identified_on"], name="identification_fact_agcy_idx"),
            models.Index(fields=["case"], name="identification_fact_case_idx"),
        ]

    def __str__(self) -> str:
        return f"Facts of identification {self.identification_id}"


class RepatriationFact(PlaceFacts):
    """A repatriation started, with where it stands now."""

    repatriation_id = models.BigIntegerField(primary_key=True)
    case = models.ForeignKey(CaseFact, on_delete=models.CASCADE, related_name="+")
    started_on = models.DateField()
    direction = models.CharField(max_length=16)
    country = models.CharField(max_length=2)
    repatriation_status = models.CharField(max_length=16)

    class Meta:
        indexes = [
            models.Index(fields=["started_on"], name="repatriation_fact_on_idx"),
            models.Index(fields=["province", "started_on"], name="repatriation_fact_prov_idx"),
            models.Index(fields=["agency", "started_on"], name="repatriation_fact_agcy_idx"),
            models.Index(fields=["case"], name="repatriation_fact_case_idx"),
        ]

    def __str__(self) -> str:
        return f"Facts of repatriation {self.repatriation_id}"


class ProsecutionFact(PlaceFacts):
    """A court case in which the child is a party, with where it stands now: the defendant's
    status (convicted, acquitted...) and whether restitution was paid."""

    proceeding_id = models.BigIntegerField(primary_key=True)
    case = models.ForeignKey(CaseFact, on_delete=models.CASCADE, related_name="+")
    filed_on = models.DateField()
    child_role = models.CharField(max_length=10)
    defendant_status = models.CharField(max_length=25, blank=True)
    restitution = models.CharField(max_length=12)

    class Meta:
        indexes = [
            models.Index(fields=["filed_on"], name="prosecution_fact_on_idx"),
            models.Index(fields=["province", "filed_on"], name="prosecution_fact_prov_idx"),
            models.Index(fields=["agency", "filed_on"], name="prosecution_fact_agcy_idx"),
            models.Index(fields=["case"], name="prosecution_fact_case_idx"),
        ]

    def __str__(self) -> str:
        return f"Facts of court case {self.proceeding_id}"


class CallFact(models.Model):
    """A call to a child helpline. A call is about no child the store knows unless it is linked:
    its place is that of the case it is about or, else, of the concern report made for it (empty
    when neither), and it has no sex or age band."""

    call_id = models.BigIntegerField(primary_key=True)
    # The helpline that took it: an agency's own scope.
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    # Not a key to the case's facts: those are rewritten on their own schedule, and a call
    # outlives them. The concern filter (?concern=) reads it.
    case_id = models.BigIntegerField(null=True)
    location_path = models.CharField(max_length=255, blank=True)
    province = models.CharField(max_length=16, blank=True)
    district = models.CharField(max_length=16, blank=True)
    received_on = models.DateField()
    caller_type = models.CharField(max_length=12)
    call_reason = models.CharField(max_length=16)
    call_action = models.CharField(max_length=16)

    class Meta:
        indexes = [
            models.Index(fields=["received_on"], name="call_fact_on_idx"),
            models.Index(fields=["province", "received_on"], name="call_fact_prov_idx"),
            models.Index(fields=["agency", "received_on"], name="call_fact_agcy_idx"),
        ]

    def __str__(self) -> str:
        return f"Facts of call {self.call_id}"
