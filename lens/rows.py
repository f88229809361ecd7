"""A lens document to database rows and back.

`store_document` writes a version's content with one bulk insert a table; `load_document` reads it
back with one query a table, however large the lens. Exports are built from these rows, never from
the stored source document.
"""

from collections import defaultdict

from lens.format import AdditionalResources, ChoiceDoc, LensDocument, PillarDoc, QuestionDoc, ResourceDoc
from lens.format.document import RiskRuleDoc
from lens.models import Choice, LensVersion, Pillar, Question, Resource, RiskRule

_ADDITIONAL_SLOT = {
    "HELPFUL_RESOURCE": Resource.Slot.ADDITIONAL_HELPFUL_RESOURCE,
    "IMPROVEMENT_PLAN": Resource.Slot.ADDITIONAL_IMPROVEMENT_PLAN,
}
_ADDITIONAL_TYPE: dict[str, str] = {slot: kind for kind, slot in _ADDITIONAL_SLOT.items()}


def _resource_row(
    version: LensVersion,
    question: Question,
    choice: Choice | None,
    slot: str,
    resource: ResourceDoc,
    *,
    entry: int | None = None,
    position: int = 0,
    entry_extra: dict | None = None,
) -> Resource:
    # Ids rather than instances: the related-object descriptors cost more than the insert itself.
    return Resource(
        version_id=version.pk,
        question_id=question.pk,
        choice_id=choice.pk if choice else None,
        slot=slot,
        entry=entry,
        position=position,
        display_text=resource.display_text,
        url=resource.url,
        extra=resource.extra,
        entry_extra=entry_extra or {},
    )


def store_document(version: LensVersion, document: LensDocument) -> None:
    """Write the document's pillars, questions, choices, rules and resources under `version`."""
    pillars = Pillar.objects.bulk_create(
        Pillar(
            version_id=version.pk,
            position=position,
            pillar_id=pillar.id,
            name=pillar.name,
            description=pillar.description,
            extra=pillar.extra,
        )
        for position, pillar in enumerate(document.pillars)
    )
    question_docs = []
    question_rows = []
    for pillar_row, pillar in zip(pillars, document.pillars, strict=True):
        for position, question in enumerate(pillar.questions):
            question_docs.append(question)
            question_rows.append(
                Question(
                    version_id=version.pk,
                    pillar_id=pillar_row.pk,
                    position=position,
                    question_id=question.id,
                    title=question.title,
                    description=question.description,
                    extra=question.extra,
                )
            )
    questions = Question.objects.bulk_create(question_rows)

    choice_docs = []
    choice_rows = []
    rule_rows: list[RiskRule] = []
    resources = []
    for question_row, question in zip(questions, question_docs, strict=True):
        if question.helpful_resource is not None:
            resources.append(
                _resource_row(
                    version, question_row, None, Resource.Slot.HELPFUL_RESOURCE, question.helpful_resource
                )
            )
        for position, choice in enumerate(question.choices):
            choice_docs.append((question_row, choice))
            choice_rows.append(
                Choice(
                    version_id=version.pk,
                    question_id=question_row.pk,
                    position=position,
                    choice_id=choice.id,
                    title=choice.title,
                    has_additional_resources=choice.additional_resources is not None,
                    extra=choice.extra,
                )
            )
        rule_rows.extend(
            RiskRule(
                version_id=version.pk,
                question_id=question_row.pk,
                position=position,
                condition=rule.condition,
                risk=rule.risk,
                extra=rule.extra,
            )
            for position, rule in enumerate(question.risk_rules)
        )
    choices = Choice.objects.bulk_create(choice_rows)
    RiskRule.objects.bulk_create(rule_rows)

    for choice_row, (question_row, choice) in zip(choices, choice_docs, strict=True):
        if choice.helpful_resource is not None:
            resources.append(
                _resource_row(
                    version, question_row, choice_row, Resource.Slot.HELPFUL_RESOURCE, choice.helpful_resource
                )
            )
        if choice.improvement_plan is not None:
            resources.append(
                _resource_row(
                    version, question_row, choice_row, Resource.Slot.IMPROVEMENT_PLAN, choice.improvement_plan
                )
            )
        for entry_index, entry in enumerate(choice.additional_resources or ()):
            for position, item in enumerate(entry.content):
                resources.append(
                    _resource_row(
                        version,
                        question_row,
                        choice_row,
                        _ADDITIONAL_SLOT[entry.type],
                        item,
                        entry=entry_index,
                        position=position,
                        entry_extra=entry.extra if position == 0 else None,
                    )
                )
    Resource.objects.bulk_create(resources)


def _resource_doc(row: Resource) -> ResourceDoc:
    return ResourceDoc(display_text=row.display_text, url=row.url, extra=row.extra)


def load_document(version: LensVersion) -> LensDocument:
    """The version's content as a LensDocument, in five queries."""
    return load_documents([version])[version.pk]


def load_documents(versions: list[LensVersion]) -> dict[int, LensDocument]:
    """Each version's content as a LensDocument, by version pk: five queries for them all (a
    workload's backup embeds every version its reviews and milestones use)."""
    pks = [version.pk for version in versions]
    resources_by_question = defaultdict(list)
    resources_by_choice = defaultdict(list)
    for resource in Resource.objects.filter(version__in=pks).order_by("pk"):
        if resource.choice_id is None:
            resources_by_question[resource.question_id].append(resource)
        else:
            resources_by_choice[resource.choice_id].append(resource)
    choices_by_question = defaultdict(list)
    for choice in Choice.objects.filter(version__in=pks).order_by("question_id", "position"):
        choices_by_question[choice.question_id].append(_choice_doc(choice, resources_by_choice[choice.pk]))
    rules_by_question = defaultdict(list)
    for rule in RiskRule.objects.filter(version__in=pks).order_by("question_id", "position"):
        rules_by_question[rule.question_id].append(
            RiskRuleDoc(condition=rule.condition, risk=rule.risk, extra=rule.extra)
        )
    questions_by_pillar = defaultdict(list)
    for question in Question.objects.filter(version__in=pks).order_by("pillar_id", "position"):
        helpful = next(
            (
                _resource_doc(r)
                for r in resources_by_question[question.pk]
                if r.slot == Resource.Slot.HELPFUL_RESOURCE
            ),
            None,
        )
        questions_by_pillar[question.pillar_id].append(
            QuestionDoc(
                id=question.question_id,
                title=question.title,
                description=question.description,
                helpful_resource=helpful,
                choices=choices_by_question[question.pk],
                risk_rules=rules_by_question[question.pk],
                extra=question.extra,
            )
        )
    pillars_by_version = defaultdict(list)
    for pillar in Pillar.objects.filter(version__in=pks).order_by("version_id", "position"):
        pillars_by_version[pillar.version_id].append(
            PillarDoc(
                id=pillar.pillar_id,
                name=pillar.name,
                description=pillar.description,
                questions=questions_by_pillar[pillar.pk],
                extra=pillar.extra,
            )
        )
    return {
        version.pk: LensDocument(
            name=version.name,
            description=version.description,
            pillars=pillars_by_version[version.pk],
            schema_version=version.schema_version,
            extra=version.extra,
        )
        for version in versions
    }


def _choice_doc(row: Choice, resources: list[Resource]) -> ChoiceDoc:
    helpful = plan = None
    entries: list[AdditionalResources] = []
    for resource in sorted(resources, key=lambda r: (r.entry is not None, r.entry or 0, r.position)):
        if resource.slot == Resource.Slot.HELPFUL_RESOURCE:
            helpful = _resource_doc(resource)
        elif resource.slot == Resource.Slot.IMPROVEMENT_PLAN:
            plan = _resource_doc(resource)
        else:
            assert resource.entry is not None  # every additional resource has its entry's number
            if resource.entry >= len(entries):
                entries.append(
                    AdditionalResources(
                        type=_ADDITIONAL_TYPE[resource.slot], content=[], extra=resource.entry_extra
                    )
                )
            entries[-1].content.append(_resource_doc(resource))
    return ChoiceDoc(
        id=row.choice_id,
        title=row.title,
        helpful_resource=helpful,
        improvement_plan=plan,
        additional_resources=entries if row.has_additional_resources else None,
        extra=row.extra,
    )
