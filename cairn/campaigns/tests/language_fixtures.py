"""Fixtures for the language tests: a text material in the ministry's campaign, with
two terms to change ("addicts", "relapse") and one to consider ("overdose")."""

import pytest

from cairn.campaigns import materials as workflow
from cairn.campaigns.language.terms import install_shipped_terms

__all__ = ["POSTER", "poster", "poster_in_review", "shipped_terms"]

POSTER = (
    "Addicts are our neighbours. Relapse is part of recovery.\n"
    'Shane says: "I was a junkie for ten years, and people still saw me."\n'
    "Carry naloxone: an overdose can happen to anyone."
)


@pytest.fixture
def shipped_terms(bc_geography):
    """Version 1 of the term list (the test database is flushed, not migrated). Through
    bc_geography for its database: a transaction per test, or committed for the browser
    tests, whose live server must see the rows."""
    return install_shipped_terms()


@pytest.fixture
def poster(campaign, communications_officer, shipped_terms):
    return workflow.create_material(
        campaign,
        communications_officer,
        kind="text",
        title="People from all walks of life",
        body=POSTER,
    )


@pytest.fixture
def poster_in_review(poster, communications_officer):
    workflow.submit_for_review(poster, communications_officer)
    poster.refresh_from_db()
    return poster
