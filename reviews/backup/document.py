"""The backup document's rules (reviews.backup describes its shape), checked in full before a
restore writes anything. Every refusal names the JSON path at fault, e.g.
`lens_reviews[0].answers[3].risk`."""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from lens.format import LensDocument, LensRefused, keep_repeated_keys, read_lens
from lens.format.document import NONE_OF_THESE_SUFFIX
from lens.models import LensVersion
from lens.risk import QuestionRules
from lens.services import content_hash
from mlwa import jsonlimits
from mlwa.errors import ReviewRefused
from reviews.backup.values import (
    choice,
    day,
    fail,
    flag,
    items,
    json_object,
    list_at,
    mapping,
    moment,
    nul_path,
    number,
    person,
    required,
    text,
)
from reviews.models import (
    CHOICE_NOTES_MAX,
    MILESTONE_NAME_MAX,
    NOTES_MAX,
    AnswerChange,
    AnswerFields,
    ImprovementItem,
    Share,
)
from reviews.services.workloads import LIST_FIELDS, REGIONS, WORKLOAD_FIELDS

FORMAT = "mlwa-workload-backup"
#: 2 (issue 17): the workload's `regions` split into `aws_regions` and `non_aws_regions`, with
#: `industry_type`, `account_ids` and `applications`. Version 1 documents are still restored.
SCHEMA_VERSION = 2
COUNTS = ("high", "medium", "none", "not_applicable", "unanswered")


class NewerSchema(ReviewRefused):
    """A document written by a newer MLWA than this one: 422, not 400, because the document may
    well be right; this instance cannot read it until it is upgraded."""

    status = 422
    code = "newer_schema"


class AlreadyRestored(ReviewRefused):
    """The document was restored on this instance already (and not asked for as a copy)."""

    status = 409
    code = "already_restored"


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def parse(data: bytes | str):
    """A backup file's JSON, read as the API reads a body: nested at most
    mlwa.jsonlimits.MAX_JSON_DEPTH deep, and without NaN or Infinity (not JSON, and no database's
    JSON column takes them). A key named twice is kept as `keep_repeated_keys` does, so that a lens file
    inside is refused at its path as an import would refuse it. ValueError with a sentence saying why
    not (and where, for the depth)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    try:
        return jsonlimits.loads(text, parse_constant=_no_constant, object_pairs_hook=keep_repeated_keys)
    except jsonlimits.JSONTooDeep as error:
        raise ValueError(f"nested deeper than {error.max_depth} levels at {error.path}") from None
    except RecursionError:  # only if the depth limit is raised past what Python can parse
        raise ValueError("nested too deep") from None


def check_header(document) -> uuid.UUID:
    """The document's id, once its format and schema version are ones this code reads and no
    text in it holds a NUL character."""
    document = mapping(document, "$")
    if document.get("format") != FORMAT:
        fail("format", f"Not an MLWA workload backup: expected “{FORMAT}”.")
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        fail("schema_version", "Must be a whole number of at least 1.")
    if version > SCHEMA_VERSION:
        raise NewerSchema(
            f"This backup has schema_version {version}, newer than the {SCHEMA_VERSION} this MLWA reads: "
            "restore it on an MLWA as new as the one that made it."
        )
    if (where := nul_path(document, "")) is not None:
        fail(where, "Null characters and numbers out of range are not allowed.")
    try:
        return uuid.UUID(str(required(document, "document_id", "")))
    except ValueError:
        fail("document_id", "Must be a UUID.")


@dataclass
class LensFile:
    """An entry of `lens_versions`, checked: its parsed file, and what it holds."""

    path: str
    alias: str
    label: str
    kind: str
    published_at: datetime.datetime
    content_hash: str
    source: dict
    document: LensDocument
    #: question id → (pillar id, choice ids), in the file's order
    questions: dict[str, tuple[str, set[str]]]
    pillars: set[str]
    #: question id → its compiled risk rules (reviews.backup.recompute evaluates answers with them)
    rules: dict[str, QuestionRules]


def lens_files(document: dict) -> dict[tuple[str, str], LensFile]:
    """The lens versions, by (alias, content hash), each file read and its hash checked."""
    files: dict[tuple[str, str], LensFile] = {}
    for path, entry in items(document, "lens_versions", ""):
        alias = text(entry, "lens_alias", path, limit=64)
        digest = text(entry, "content_hash", path, limit=64)
        if (alias, digest) in files:
            fail(path, "This lens version is listed twice.")
        source = mapping(required(entry, "file", path), f"{path}.file")
        try:
            parsed, _warnings = read_lens(source)
        except LensRefused as error:
            problem = error.problems[0]
            fail(f"{path}.file{problem.path.removeprefix('$')}", problem.message)
        if content_hash(parsed) != digest:
            fail(f"{path}.content_hash", "Does not match the lens file.")
        label = text(entry, "label", path, limit=32)
        if not label.strip() or label.strip() != label or label == "draft":
            fail(f"{path}.label", "Must be a published version's label.")
        if any(f.alias == alias and f.label == label for f in files.values()):
            fail(f"{path}.label", "Two versions of this lens have this label.")
        files[alias, digest] = LensFile(
            path=path,
            alias=alias,
            label=label,
            kind=choice(entry, "kind", path, LensVersion.Kind),
            published_at=moment(entry, "published_at", path),
            content_hash=digest,
            source=source,
            document=parsed,
            questions={
                question.id: (pillar.id, {c.id for c in question.choices})
                for pillar in parsed.pillars
                for question in pillar.questions
            },
            pillars={pillar.id for pillar in parsed.pillars},
            rules=parsed.question_rules(),
        )
    return files


def lens_file_of(files: dict, review: dict, path: str) -> LensFile:
    key = (text(review, "lens_alias", path, limit=64), text(review, "content_hash", path, limit=64))
    if key not in files:
        fail(f"{path}.content_hash", "No entry of lens_versions has this lens alias and content hash.")
    return files[key]


def answer(data: dict, path: str, lens_file: LensFile) -> dict[str, Any]:
    """An answer's fields (AnswerFields' but the question's row and the user), checked."""
    question_id = text(data, "question_id", path, limit=128)
    if question_id not in lens_file.questions:
        fail(f"{path}.question_id", "Not a question of this lens version.")
    choice_ids = lens_file.questions[question_id][1]
    selected = list_at(required(data, "selected_choices", path), f"{path}.selected_choices")
    if not all(isinstance(c, str) and c in choice_ids for c in selected):
        fail(f"{path}.selected_choices", "Must list choice ids of this question.")
    # What the answer service refuses, a restore refuses too: no state a person could not have made.
    none_of_these = {c for c in choice_ids if c.endswith(NONE_OF_THESE_SUFFIX)}
    if none_of_these & set(selected) and len(set(selected)) > 1:
        fail(f"{path}.selected_choices", '"None of these" cannot be selected with other practices.')
    not_applicable = json_object(data, "not_applicable_choices", path)
    for choice_id, mark in not_applicable.items():
        where = f"{path}.not_applicable_choices.{choice_id}"
        if choice_id not in choice_ids:
            fail(where, "Not a choice of this question.")
        if choice_id in none_of_these:
            fail(where, '"None of these" cannot be marked not applicable.')
        if choice_id in selected:
            fail(where, "A choice is selected or marked not applicable, not both.")
        mark = mapping(mark, where)
        if not isinstance(mark.get("reason", ""), str) or not isinstance(mark.get("notes", ""), str):
            fail(where, "Must hold a reason and notes as text.")
        if len(mark.get("notes", "")) > CHOICE_NOTES_MAX:
            fail(f"{where}.notes", f"At most {CHOICE_NOTES_MAX} characters.")
    reason = text(data, "reason", path, limit=32)
    if reason and reason not in AnswerFields.Reason.values:
        fail(f"{path}.reason", f"Must be empty or one of {', '.join(AnswerFields.Reason.values)}.")
    return {
        "question_id": question_id,
        "selected_choices": selected,
        "not_applicable_choices": not_applicable,
        "is_applicable": flag(data, "is_applicable", path),
        "reason": reason,
        "notes": text(data, "notes", path),
        "risk": choice(data, "risk", path, AnswerFields.Risk),
        "version": number(data, "version", path),
        "updated_by_name": person(data, "updated_by", path),
        "updated_at": moment(data, "updated_at", path, null=True),
    }


def answers(review: dict, path: str, lens_file: LensFile) -> tuple[dict[str, dict], dict[str, str]]:
    """A review's answers by question id, each checked, and the JSON path of each; a question
    answered twice is refused."""
    found: dict[str, dict] = {}
    paths: dict[str, str] = {}
    for where, data in items(review, "answers", path):
        fields = answer(data, where, lens_file)
        if fields["question_id"] in found:
            fail(f"{where}.question_id", "This question is answered twice in this review.")
        found[fields["question_id"]] = fields
        paths[fields["question_id"]] = where
    return found, paths


def review(data: dict, path: str, files: dict) -> dict[str, Any]:
    """A lens review (live or frozen), its answers included."""
    lens_file = lens_file_of(files, data, path)
    pillar_notes = json_object(data, "pillar_notes", path)
    for pillar_id, notes in pillar_notes.items():
        if not isinstance(notes, str) or len(notes) > NOTES_MAX:
            fail(f"{path}.pillar_notes.{pillar_id}", f"Must be text of at most {NOTES_MAX} characters.")
    found, paths = answers(data, path, lens_file)
    return {
        "path": path,
        "lens_file": lens_file,
        "notes": text(data, "notes", path),
        "pillar_notes": pillar_notes,
        "applied_at": moment(data, "applied_at", path),
        "answers": found,
        "answer_paths": paths,
    }


def counts(data: dict, path: str) -> dict[str, int]:
    return {column: number(data, column, path) for column in COUNTS}


#: What an answer's state holds (reviews.services.answer_state), for the audit trail's before and
#: after: the type of each key, all optional (a discarded version holds only the fields sent).
STATE_TYPES = {
    "selected_choices": list,
    "not_applicable_choices": dict,
    "is_applicable": bool,
    "reason": str,
    "notes": str,
    "risk": str,
}


def answer_state(data: dict, key: str, path: str) -> dict:
    """An answer's state as the audit trail keeps it: the pages read each key by its type."""
    state, where = json_object(data, key, path), f"{path}.{key}"
    for name, value in state.items():
        kind = STATE_TYPES.get(name)
        if kind is not None and not isinstance(value, kind):
            fail(
                f"{where}.{name}",
                f"Must be {'a list' if kind is list else 'an object' if kind is dict else kind.__name__}.",
            )
    if not all(isinstance(c, str) for c in state.get("selected_choices", [])):
        fail(f"{where}.selected_choices", "Must list choice ids.")
    if not all(isinstance(mark, dict) for mark in state.get("not_applicable_choices", {}).values()):
        fail(f"{where}.not_applicable_choices", "Must map choice ids to a reason and notes.")
    return state


def frozen_fields(data: dict, key: str, path: str) -> dict:
    """A milestone's copy of the workload's fields: each a field of a workload, of its type."""
    fields, where = json_object(data, key, path), f"{path}.{key}"
    for name, value in fields.items():
        if name not in WORKLOAD_FIELDS and name != REGIONS:
            fail(f"{where}.{name}", "Not a workload field.")
        if name in LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                fail(f"{where}.{name}", "Must be a list of text values.")
        elif not isinstance(value, str):
            fail(f"{where}.{name}", "Must be text.")
    return fields


def audit_entry(data: dict, path: str) -> dict[str, Any]:
    return {
        "lens_alias": text(data, "lens_alias", path, limit=64),
        "question_id": text(data, "question_id", path, limit=128),
        "kind": choice(data, "kind", path, AnswerChange.Kind),
        "version": number(data, "version", path),
        "changed_by_name": person(data, "changed_by", path),
        "changed_at": moment(data, "changed_at", path),
        "before": answer_state(data, "before", path),
        "after": answer_state(data, "after", path),
        "note": text(data, "note", path, limit=255),
    }


def event(data: dict, path: str) -> dict[str, Any]:
    return {
        # Any kind: an event log is history, and a newer kind is still a sentence with a time.
        "kind": text(data, "kind", path, limit=32),
        "workload_name": text(data, "workload_name", path, limit=100),
        "actor_name": person(data, "actor", path),
        "at": moment(data, "at", path),
        "summary": text(data, "summary", path, limit=None),
        "data": json_object(data, "data", path),
    }


def milestone(data: dict, path: str, files: dict) -> dict[str, Any]:
    reviews: list[dict[str, Any]] = []
    for where, frozen in items(data, "lens_reviews", path):
        fields = review(frozen, where, files)
        pillar_counts, count_paths = {}, {}
        for count_path, row in items(frozen, "pillar_counts", where):
            pillar_id = text(row, "pillar_id", count_path, limit=128)
            if pillar_id not in fields["lens_file"].pillars or pillar_id in pillar_counts:
                fail(f"{count_path}.pillar_id", "Not a pillar of this lens version, or listed twice.")
            pillar_counts[pillar_id] = counts(row, count_path)
            count_paths[pillar_id] = count_path
        fields["pillar_counts"] = pillar_counts
        fields["pillar_count_paths"] = count_paths
        if any(r["lens_file"].alias == fields["lens_file"].alias for r in reviews):
            fail(f"{where}.lens_alias", "This lens is reviewed twice in this milestone.")
        reviews.append(fields)
    name = text(data, "name", path, limit=MILESTONE_NAME_MAX)
    if not name.strip():
        fail(f"{path}.name", "Must not be empty.")
    return {
        "path": path,
        "number": number(data, "number", path, least=1),
        "name": name,
        "workload_fields": frozen_fields(data, "workload_fields", path),
        "created_by_name": person(data, "created_by", path),
        "created_at": moment(data, "created_at", path),
        "totals": counts(json_object(data, "totals", path), f"{path}.totals"),
        "lens_reviews": reviews,
    }


def improvement_item(data: dict, path: str) -> dict[str, Any]:
    return {
        "lens_alias": text(data, "lens_alias", path, limit=64),
        "question_id": text(data, "question_id", path, limit=128),
        "status": choice(data, "status", path, ImprovementItem.Status),
        "owner_name": person(data, "owner", path),
        "due_date": day(data, "due_date", path),
        "note": text(data, "note", path),
        "version": number(data, "version", path),
        "updated_by_name": person(data, "updated_by", path),
        "updated_at": moment(data, "updated_at", path, null=True),
    }


def share(data: dict, path: str) -> dict[str, Any]:
    user, group = (
        text(data, "user", path, limit=150, null=True),
        text(data, "group", path, limit=150, null=True),
    )
    if (user is None) == (group is None):
        fail(path, "A share names a user or a group.")
    return {"user": user, "group": group, "role": choice(data, "role", path, Share.Role)}
