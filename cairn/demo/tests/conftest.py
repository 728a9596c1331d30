import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_data(bc_geography):
    """Run `cairn demo-data` with the given arguments; returns what it printed."""

    def run(*args: str) -> str:
        out = io.StringIO()
        call_command("demo_data", *args, "--quiet", stdout=out)
        return out.getvalue()

    return run
