"""A report marked done writes its "report ready" event in the same transaction; its requester is
told, and once however often the task runs (issue 17)."""

import pytest

from mlwa.models import Event
from notifications.models import Notification
from reviews.models import Report, Share
from reviews.reports.services import report_request
from reviews.reports.tasks import render_report
from reviews.services.sharing import share_grant
from tests.factories import workload
from tests.notifications.conftest import texts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.MLWA_REPORTS_DIR = tmp_path / "reports"


def test_a_rendered_report_tells_whoever_asked_for_it_once(alice, bob, sweep):
    fraud = workload(alice, "Fraud detection")
    share_grant(workload=fraud, actor=alice, role=Share.Role.READER, user=bob)
    report = report_request(
        actor=bob, kind=Report.Kind.IMPROVEMENT_PLAN, workload=fraud, format=Report.Format.CSV
    )
    render_report.apply(args=[report.pk]).get()
    render_report.apply(args=[report.pk]).get()  # delivered twice: done once, one event
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    ready = Event.objects.filter(kind=Event.Kind.REPORT_READY)
    assert [event.data["report"] for event in ready] == [report.pk]
    sweep()
    assert "Your Improvement plan report of Fraud detection (CSV) is ready." in texts(bob)
    assert Notification.objects.filter(kind=Notification.Kind.REPORT_READY).count() == 1
    assert texts(alice) == []


def test_a_report_that_failed_tells_nobody_it_is_ready(alice, sweep, monkeypatch):
    from reviews.reports import tasks

    def broken(report, progress):
        raise ValueError("the lens is gone")

    monkeypatch.setattr(tasks, "render_document", broken)
    report = report_request(actor=alice, kind=Report.Kind.LENS_REVIEW, workload=workload(alice))
    render_report.apply(args=[report.pk]).get()
    assert Report.objects.get(pk=report.pk).status == Report.Status.FAILED
    assert not Event.objects.filter(kind=Event.Kind.REPORT_READY).exists()
