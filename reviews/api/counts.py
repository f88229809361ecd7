"""The one shape of risk counts in the API, `counts`: workloads, lens reviews, pillars, risk
summaries, milestones and lenses in a milestone all answer it.

Its source is anything with these seven attributes or keys: reviews.selectors.risk.RiskCounts
(lens reviews and their pillars), a workload row of reviews.selectors.dashboard, or a dict of
reviews.selectors.summaries.counts (summaries, milestones). All are read from the kept counts
(PillarRiskCounts, MilestonePillarRiskCounts, a milestone's own columns), never by counting
answers while serialising, so that the shape costs no query.
"""

from rest_framework import serializers

#: The seven keys, in the order a response gives them.
COUNT_FIELDS = ("high", "medium", "none", "not_applicable", "unanswered", "answered", "questions")


class RiskCountsSerializer(serializers.Serializer):
    """How many questions are at each risk, how many are answered, and how many there are."""

    high = serializers.IntegerField(read_only=True, help_text="At high risk.")
    medium = serializers.IntegerField(read_only=True, help_text="At medium risk.")
    none = serializers.IntegerField(read_only=True, help_text="Answered, at no risk.")
    not_applicable = serializers.IntegerField(read_only=True, help_text="Marked as not applying.")
    unanswered = serializers.IntegerField(read_only=True, help_text="Not answered yet.")
    answered = serializers.IntegerField(read_only=True, help_text="`questions` less `unanswered`.")
    questions = serializers.IntegerField(read_only=True, help_text="All of them: the five counts added up.")

    class Meta:
        ref_name = "RiskCounts"


class PillarCountsSerializer(serializers.Serializer):
    """A pillar of a lens review, now or frozen in a milestone, with its notes and its risk counts."""

    pillar_id = serializers.CharField()
    name = serializers.CharField()
    notes = serializers.CharField(allow_blank=True)
    counts = RiskCountsSerializer()

    class Meta:
        ref_name = "LensReviewPillar"
