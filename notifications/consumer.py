"""The notifications consumer of the outbox (notifications.outbox): events become one notification
per person they concern.

- a workload shared (SHARED): the user it was shared with, or each active member of the team;
- an improvement item whose owner changed (IMPROVEMENT_TRACKED): the new owner;
- a lens version published (mlwa.Event): the owners and contributors of the workloads that used
  the lens then, among those who may still see it (lens.selectors.lens_visibility: a lens withdrawn from
  someone tells them nothing of it);
- a report ready (mlwa.Event): whoever asked for it.

Nobody is told of what they did themselves; inactive users are told nothing; an event that a
restore wrote (a backup's history, reviews.backup) tells nobody. Notifications are inserted
ignoring the ones that exist (unique per recipient and event), so delivering twice makes none twice.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode

from lens.models import Lens
from lens.selectors import lens_visibility
from mlwa.events import WORKLOAD_STREAM
from mlwa.models import Event
from notifications.models import Notification
from notifications.outbox import Consumer, consumer_register
from reviews.models import LensReview, Share, WorkloadEvent

NAME = "notifications"


@dataclass(frozen=True)
class Notice:
    """What to tell, before it is known to whom."""

    kind: Notification.Kind
    text: str
    url: str


def notifications_deliver(stream: str, events: list[Any]) -> int:
    """The consumer's `deliver`: the notifications of `events` (of `stream`), made once each. How
    many it offered (those that existed already are among them: the database ignores them)."""
    rows: list[Notification] = []
    for event in events:
        handled = _workload_event(event) if stream == WORKLOAD_STREAM else _instance_event(event)
        if handled is None:
            continue
        notice, recipients = handled
        source = {"workload_event": event} if stream == WORKLOAD_STREAM else {"event": event}
        rows.extend(
            Notification(
                recipient_id=pk,
                kind=notice.kind,
                text=notice.text,
                url=notice.url,
                created_at=event.at,
                **source,
            )
            for pk in sorted(set(recipients) - {event.actor_id})
        )
    # ignore_conflicts: a notification made already (by the other path, or a redelivery) stays one.
    made = Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(made)


NOTIFICATIONS = consumer_register(Consumer(name=NAME, deliver=notifications_deliver))


def _active(pks: Iterable[int | None]) -> list[int]:
    wanted = {pk for pk in pks if pk is not None}
    if not wanted:
        return []
    return list(get_user_model().objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))


def _workload_event(event: WorkloadEvent) -> tuple[Notice, list[int]] | None:
    if event.restored_at is not None or event.workload_id is None:
        return None
    who = event.actor.get_username() if event.actor is not None else "Someone"
    url = reverse("reviews:workload", args=[event.workload_id])
    data = event.data or {}
    if event.kind == WorkloadEvent.Kind.SHARED:
        role = str(data.get("role", "")).lower() or "reader"
        if data.get("grantee_group"):
            members = get_user_model().objects.filter(groups=data["grantee_group"], is_active=True)
            text = f"{who} shared the workload {event.workload_name} with your team as {role}."
            return Notice(Notification.Kind.SHARED, text, url), list(members.values_list("pk", flat=True))
        text = f"{who} shared the workload {event.workload_name} with you as {role}."
        return Notice(Notification.Kind.SHARED, text, url), _active([data.get("grantee_user")])
    if event.kind == WorkloadEvent.Kind.IMPROVEMENT_TRACKED:
        owner = (data.get("changes") or {}).get("owner") or {}
        if not owner.get("after"):
            return None  # not assigned to anyone new (another field changed, or the owner cleared)
        recipients = get_user_model().objects.filter(username=owner["after"], is_active=True)
        question, alias = data.get("question", ""), data.get("lens", "")
        text = (
            f"{who} assigned you the improvement of {question} ({alias}) "
            f"on the workload {event.workload_name}."
        )
        plan_url = reverse("reviews:improvements", args=[event.workload_id])
        assignees = list(recipients.values_list("pk", flat=True))
        return Notice(Notification.Kind.ASSIGNED, text, plan_url), assignees
    return None


def _instance_event(event: Event) -> tuple[Notice, list[int]] | None:
    data = event.data or {}
    if event.kind == Event.Kind.REPORT_READY:
        what = data.get("report_kind", "report")
        of = f" of {data['workload_name']}" if data.get("workload_name") else ""
        text = f"Your {what} report{of} ({data.get('format', '')}) is ready."
        url = (
            reverse("reviews:reports", args=[data["workload"]])
            if data.get("workload")
            else reverse("reviews:consolidated-reports")
        )
        return Notice(Notification.Kind.REPORT_READY, text, url), _active([data.get("requested_by")])
    if event.kind == Event.Kind.LENS_VERSION_PUBLISHED:
        lens = Lens.objects.filter(pk=int(data.get("lens") or 0)).first()
        if lens is None:
            return None
        weight = "major" if data.get("major") else "minor"
        text = (
            f"Version {data.get('label', '')} ({weight}) of the lens {lens.name}, "
            "which your workloads use, is published."
        )
        url = reverse("lens:diff", args=[lens.alias]) + "?" + urlencode({"to": data.get("label", "")})
        return Notice(Notification.Kind.LENS_VERSION, text, url), _lens_users(lens, event)
    return None


def _lens_users(lens: Lens, event: Event) -> list[int]:
    """The active owners and contributors of the workloads that applied `lens` before `event` (a
    lens applied since is applied at that version or a later one) who may see `lens`: two queries,
    then one a person for the visibility rule (lens.selectors), applied as it is written rather than
    restated for a set of users."""
    reviews = LensReview.objects.filter(lens=lens, applied_at__lt=event.at)
    workloads = reviews.values("workload_id")
    owners = reviews.values_list("workload__owner_id", flat=True)
    shares = Share.objects.filter(workload__in=workloads, role=Share.Role.CONTRIBUTOR)
    people = get_user_model().objects.filter(
        Q(pk__in=owners)
        | Q(pk__in=shares.filter(user__isnull=False).values("user_id"))
        | Q(groups__in=shares.filter(group__isnull=False).values("group_id")),
        is_active=True,
    )
    candidates = set(people.values_list("pk", flat=True))
    if lens.owner_id is None or lens.shared_with_everyone:
        return sorted(candidates)  # everyone may see it (the rule's first and third terms)
    visible = Lens.objects.filter(pk=lens.pk)
    return [pk for pk in sorted(candidates) if visible.filter(lens_visibility(pk)).exists()]
