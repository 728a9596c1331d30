"""Steps a person takes, shared by the browser tests."""

import re

from playwright.sync_api import expect

from conftest import PERSONA_PASSWORD


def sign_in(page, username, password=PERSONA_PASSWORD, *, succeeds=True):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if succeeds:
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
