"""The lens files a backup embeds: several versions' content read in five queries in all.

lens.rows.load_document reads one version in five queries; a backup needs every version its reviews
and milestones use, and its export must cost the same queries however many there are. This is the
same assembly over many versions at once (tests/reviews/test_backup.py checks that each file equals
`write_lens(load_document(version))`, the file `manage.py lens export` writes). It could move to
lens.rows as `load_documents`.
"""

from collections import defaultdict
from typing import Any

from lens.format import LensDocument, PillarDoc, QuestionDoc, RiskRuleDoc, write_lens
from lens.models import Choice, LensVersion, Pillar, Question, Resource, RiskRule
from lens.rows import choice_doc, resource_doc


def lens_files(versions: list[LensVersion]) -> dict[int, dict[str, Any]]:
    """Each version's custom-lens file (JSON values), by version pk: five queries for them all."""
    pks = [version.pk for version in versions]
    resources_by_question, resources_by_choice = defaultdict(list), defaultdict(list)
    for row in Resource.objects.filter(version__in=pks).order_by("pk"):
        if row.choice_id is None:
            resources_by_question[row.question_id].append(row)
        else:
            resources_by_choice[row.choice_id].append(row)
    choices_by_question = defaultdict(list)
    for row in Choice.objects.filter(version__in=pks).order_by("question_id", "position"):
        choices_by_question[row.question_id].append(choice_doc(row, resources_by_choice[row.pk]))
    rules_by_question = defaultdict(list)
    for row in RiskRule.objects.filter(version__in=pks).order_by("question_id", "position"):
        rules_by_question[row.question_id].append(
            RiskRuleDoc(condition=row.condition, risk=row.risk, extra=row.extra)
        )
    questions_by_pillar = defaultdict(list)
    for row in Question.objects.filter(version__in=pks).order_by("pillar_id", "position"):
        helpful = next(
            (
                resource_doc(r)
                for r in resources_by_question[row.pk]
                if r.slot == Resource.Slot.HELPFUL_RESOURCE
            ),
            None,
        )
        questions_by_pillar[row.pillar_id].append(
            QuestionDoc(
                id=row.question_id,
                title=row.title,
                description=row.description,
                helpful_resource=helpful,
                choices=choices_by_question[row.pk],
                risk_rules=rules_by_question[row.pk],
                extra=row.extra,
            )
        )
    pillars_by_version = defaultdict(list)
    for row in Pillar.objects.filter(version__in=pks).order_by("version_id", "position"):
        pillars_by_version[row.version_id].append(
            PillarDoc(
                id=row.pillar_id,
                name=row.name,
                description=row.description,
                questions=questions_by_pillar[row.pk],
                extra=row.extra,
            )
        )
    return {
        version.pk: write_lens(
            LensDocument(
                name=version.name,
                description=version.description,
                pillars=pillars_by_version[version.pk],
                schema_version=version.schema_version,
                extra=version.extra,
            )
        )
        for version in versions
    }
