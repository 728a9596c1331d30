"""Root fixtures: the BC geography and the personas, shared by every test.

The test database gets British Columbia's 89 communities once per session; each
test then runs in its own transaction. Tests that need committed data (browser
tests with a live server) flush the database afterwards, so `bc_geography` loads
it again whenever it finds it missing.
"""

import pytest

from cairn.access.personas import PERSONAS, create_personas
from cairn.geography.loading import load_british_columbia
from cairn.geography.models import Jurisdiction

PERSONA_PASSWORD = "persona-password-for-tests"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Real hashing costs half a second per user; tests need the behaviour, not the cost."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_british_columbia()


@pytest.fixture
def bc_geography(db):
    if not Jurisdiction.objects.filter(code="bc").exists():
        load_british_columbia()
    return Jurisdiction.objects.get(code="bc")


@pytest.fixture
def personas(bc_geography):
    """Every persona as a user: personas["police_liaison"], personas["er_nurse"], ..."""
    return create_personas(password=PERSONA_PASSWORD)


def _persona_fixture(key):
    @pytest.fixture(name=key)
    def fixture(personas):
        return personas[key]

    return fixture


for _key in PERSONAS:
    globals()[_key] = _persona_fixture(_key)


@pytest.fixture
def prince_george(bc_geography):
    return Jurisdiction.objects.get(code="bc-lha-prince-george")


@pytest.fixture
def vancouver_centre_north(bc_geography):
    return Jurisdiction.objects.get(code="bc-lha-vancouver-centre-north")


@pytest.fixture
def abbotsford(bc_geography):
    return Jurisdiction.objects.get(code="bc-lha-abbotsford")
