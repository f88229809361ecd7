import pytest

from tests.factories import imported_lens, lens_document


@pytest.fixture
def bobs_lens(bob):
    """A published lens of Bob's, shared with nobody."""
    return imported_lens(owner=bob, document=lens_document(name="Bob's lens"))
