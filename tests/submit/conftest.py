from __future__ import annotations

import pytest


@pytest.fixture
def same_site() -> dict[str, str]:
    """Headers a browser sends with a form posted from our own pages."""
    return {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
