"""The improvement plan page's forms: the filters (a GET form) and the tracking form of each item.

The filters drop a value that is not one of their choices (and say so); the tracking form posts
the item's whole state with the version it was read at, and reviews.services.improvement_item_update
decides what it may hold.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict

from mlwa.errors import InvalidInput
from reviews.forms.answers import textarea_text
from reviews.models import Answer, ImprovementItem
from reviews.selectors.improvements import STATUS_FILTERS, UNASSIGNED, PlanFilters, PlanRow
from reviews.services.improvements import ItemRef

#: The query parameters of the filters, in the order the form shows them.
FILTER_NAMES = ("lens", "pillar", "risk", "status", "owner")


class PlanFilterForm(forms.Form):
    """?lens= &pillar= &risk= &status= &owner= (a user's id, or "unassigned")."""

    lens = forms.ChoiceField(required=False)
    pillar = forms.ChoiceField(required=False)
    risk = forms.ChoiceField(
        required=False,
        choices=[("", "High and medium"), (Answer.Risk.HIGH, "High"), (Answer.Risk.MEDIUM, "Medium")],
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *STATUS_FILTERS.items()])
    owner = forms.ChoiceField(required=False)

    def __init__(self, *args, lenses, pillars, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lens"].choices = [("", "Every lens"), *((lens.alias, lens.name) for lens in lenses)]
        self.fields["pillar"].choices = [("", "Every pillar"), *pillars]
        self.fields["owner"].choices = [
            ("", "Anyone"),
            (UNASSIGNED, "Nobody (unassigned)"),
            *((str(user.pk), user.get_username()) for user in owners),
        ]

    def filters(self) -> PlanFilters:
        """The filters that parse; the others are left out (the form shows their errors)."""
        self.is_valid()
        data = self.cleaned_data
        owner = data.get("owner") or None
        return PlanFilters(
            lens=data.get("lens") or "",
            pillar=data.get("pillar") or "",
            risk=data.get("risk") or "",
            status=data.get("status") or "",
            owner=int(owner) if owner and owner != UNASSIGNED else owner,
        )

    def query(self) -> str:
        """The valid filters as a query string ("" when none), to link and come back with."""
        self.is_valid()
        return urlencode(
            [(name, self.cleaned_data[name]) for name in FILTER_NAMES if self.cleaned_data.get(name)]
        )


def filter_query(raw: str) -> str:
    """The filters of a posted query string, and nothing else: what a redirect back may carry."""
    query = QueryDict(raw or "")
    return urlencode([(name, query[name]) for name in FILTER_NAMES if query.get(name)])


class BadTrackingPost(Exception):
    """A post the tracking form could not have sent: a 400 naming the field."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(f"{field_name}: {message}")


@dataclass
class TrackingPost:
    """A posted tracking form: the version it was read at, and the item's fields as posted."""

    version: int
    changes: dict
    back: str = ""


def parse_tracking_post(post: QueryDict) -> TrackingPost:
    """The tracking form's fields, as improvement_item_update takes them. The owner is a user's id
    or "" (nobody); the due date None (left empty) or YYYY-MM-DD, which the API's definition of the
    input checks (reviews.api.improvement_serializers)."""
    raw_version = post.get("version", "")
    if not raw_version.isdigit():
        raise BadTrackingPost("version", "The form's version is missing: reload the page.")
    changes: dict = {}
    if "status" in post:
        changes["status"] = post["status"]
    if "owner" in post:
        owner = post.get("owner", "").strip()
        if owner and not owner.isdigit():
            raise BadTrackingPost("owner", "A user's id, or nothing.")
        changes["owner"] = int(owner) if owner else None
    if "due_date" in post:
        changes["due_date"] = post.get("due_date", "").strip() or None
    if "note" in post:
        changes["note"] = textarea_text(post.get("note", ""))
    return TrackingPost(int(raw_version), changes, filter_query(post.get("back", "")))


@dataclass
class TrackingForm:
    """What one item's tracking form shows: its values (stored, or as posted when refused), the
    version it writes over, and the errors or the conflict of a refused post."""

    status: str = ImprovementItem.Status.NOT_STARTED
    owner_id: int | None = None
    due_date: str = ""
    note: str = ""
    version: int = 0
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflict: ImprovementItem | None = None  # the stored item, when the post was stale
    mine: list[tuple[str, str]] = field(default_factory=list)  # with a conflict: what was posted
    saved: bool = False

    @classmethod
    def of_row(cls, row: PlanRow, **extra) -> "TrackingForm":
        return cls.of_item(row.item, **extra)

    @classmethod
    def of_item(cls, item: ImprovementItem | None, **extra) -> "TrackingForm":
        if item is None:
            return cls(**extra)
        return cls(
            status=item.status,
            owner_id=item.owner_id,
            due_date=item.due_date.isoformat() if item.due_date else "",
            note=item.note,
            version=item.version,
            **extra,
        )

    @classmethod
    def stale(cls, stored: ImprovementItem, posted: TrackingPost, owners) -> "TrackingForm":
        """The stored values (at the stored version, so that saving again writes over them once
        seen), with what the person posted beside them."""
        names = {user.pk: user.get_username() for user in owners}
        labels = dict(ImprovementItem.Status.choices)
        changes = posted.changes
        mine = []
        if "status" in changes:
            mine.append(("Status", str(labels.get(changes["status"], changes["status"]))))
        if "owner" in changes:
            owner = changes["owner"]
            mine.append(("Owner", names.get(owner, str(owner)) if owner is not None else "nobody"))
        if "due_date" in changes:
            mine.append(("Due date", str(changes["due_date"] or "none")))
        if "note" in changes:
            mine.append(("Note", changes["note"] or "(empty)"))
        item = stored if stored.pk is not None else None
        return cls.of_item(item, conflict=stored, mine=mine)

    @classmethod
    def as_posted(cls, posted: TrackingPost, **extra) -> "TrackingForm":
        changes = posted.changes
        return cls(
            status=changes.get("status", ImprovementItem.Status.NOT_STARTED),
            owner_id=changes.get("owner"),
            due_date=str(changes.get("due_date") or ""),
            note=changes.get("note", ""),
            version=posted.version,
            **extra,
        )


class BulkStatusForm:
    """The plan's bulk change: a `status` and the `item`s checked, each "alias/question id/version"
    as the page showed it. Raises InvalidInput naming the field a browser could not have sent."""

    def __init__(self, post: QueryDict):
        self.post = post

    def status(self) -> str:
        """The status chosen: one of ImprovementItem.Status."""
        status = self.post.get("status", "")
        if status not in ImprovementItem.Status.values:
            raise InvalidInput({"status": "Choose a status."})
        return status

    def refs(self) -> list[ItemRef]:
        """The items checked, in the page's order; none checked is refused (naming `items`)."""
        refs = []
        for value in self.post.getlist("item"):
            alias, _, rest = value.partition("/")
            question_id, _, version = rest.rpartition("/")
            if not (alias and question_id and version.isdigit()):
                raise InvalidInput({"items": "Reload the page: an item's reference is broken."})
            refs.append(ItemRef(alias, question_id, int(version)))
        if not refs:
            raise InvalidInput({"items": "Select at least one item."})
        return refs
