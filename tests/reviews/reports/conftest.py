"""Fixtures of the report tests: a private reports folder per test, a stand-in renderer, and
enqueueing recorded rather than sent (the tests that need a broker say so)."""

from dataclasses import dataclass

import pytest

from reviews.reports import services, tasks


@dataclass
class FakeRendered:
    """What RENDER's renderer returns (reviews.reports.rendering.Rendered)."""

    content: bytes
    content_type: str = "application/pdf"
    file_name: str = "report.pdf"


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    """Each test stores its files in a folder of its own."""
    settings.MLWA_REPORTS_DIR = tmp_path / "reports"
    return settings.MLWA_REPORTS_DIR


@pytest.fixture
def sent(monkeypatch):
    """The reports queued, instead of sending them to a broker."""
    queued = []

    def enqueue(report):
        queued.append(report.pk)
        return True

    monkeypatch.setattr(services, "report_enqueue", enqueue)
    monkeypatch.setattr(tasks, "report_enqueue", enqueue)
    return queued


@pytest.fixture
def fake_render(monkeypatch):
    """A renderer that reports progress at 10, 50 and 90 percent and returns a small PDF; the calls
    are recorded. Set `.error` to make it raise."""

    class Renderer:
        calls: list = []
        error: Exception | None = None

        def __call__(self, report, progress):
            self.calls.append(report.pk)
            for percent in (10, 50, 90):
                progress(percent)
            if self.error is not None:
                raise self.error
            return FakeRendered(content=b"%PDF-1.7 report " + str(report.pk).encode())

    renderer = Renderer()
    renderer.calls = []
    monkeypatch.setattr(tasks, "render_document", renderer)
    return renderer
