"""Signing in, the header and its preferences, in English and in French."""

import json
import re
import urllib.parse

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.pages import Shell, SignInPage, prefer_language, signed_in
from tests.e2e.browser.pages.sign_in import LANGUAGE_NAMES
from tests.e2e.browser.pages.sign_in import WORDS as SIGN_IN_WORDS
from tests.e2e.browser.strings import foreign_strings, visible_strings

MY_TIME_ZONE = "{ me { timeZone } }"
SET_MY_TIME_ZONE = """
mutation SetMyTimeZone($zone: String!) {
  updateMe(input: {timeZone: $zone}) { me { timeZone } errors { code } }
}"""


def _data_shown_to(persona, zone: str) -> tuple[str, ...]:
    """What the shell shows that is no word of a language: who, their agency, the names
    of the languages (each in itself), the time zone, the product."""
    return (
        persona.name,
        persona.agency_acronym,
        persona.agency_name,
        zone,
        "JointOps",
        *LANGUAGE_NAMES.values(),
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_coordinator_signs_in_and_the_header_shows_who_they_are_and_their_agency(
    page, coordinator, language
):
    # given the app opened on the operations, signed out, by a reader of `language`
    prefer_language(page, language)
    sign_in = SignInPage(page, language).open("/operations")

    # when the coordinator signs in
    sign_in.sign_in_as(coordinator)

    # then the page becomes the operations page, with who they are in the header
    Shell(page, language).expect_signed_in(coordinator)
    expect(page).to_have_url(re.compile(r"/operations$"))
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_wrong_password_is_refused_with_a_message_in_the_readers_language(
    page, ng_officer, language
):
    # given the sign-in page in `language`
    prefer_language(page, language)
    sign_in = SignInPage(page, language).open()

    # when an officer types a wrong password
    sign_in.sign_in(ng_officer.username, "not-the-password")

    # then the page says so, and nobody is signed in
    expect(sign_in.refusal).to_contain_text(SIGN_IN_WORDS[language]["wrong"])
    expect(sign_in.username).to_have_value(ng_officer.username)
    expect(page.get_by_role("banner")).to_have_count(0)
    page.reload()
    SignInPage(page, language).expect_shown()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_signing_out_returns_to_the_sign_in_page_and_the_session_is_over(
    page, cr_officer, language
):
    # given an officer signed in
    shell = signed_in(page, cr_officer, language)

    # when they sign out
    shell.sign_out()

    # then the sign-in page shows, also after a reload: the server forgot the session
    page.reload()
    SignInPage(page, language).expect_shown()
    expect(page.get_by_role("banner")).to_have_count(0)


def test_the_sign_in_page_turns_every_visible_string_into_the_language_chosen_on_it(page, stranger):
    # given the sign-in page in English
    sign_in = SignInPage(page, "en").open()
    data = _data_shown_to(stranger, "UTC")
    english = visible_strings(page)
    assert not foreign_strings(english, "en", data), english

    # when French is chosen on it
    sign_in = sign_in.choose_language("fr")

    # then every string is French (or a language's own name), and a French reader can
    # sign in with what they read
    french = visible_strings(page)
    assert not foreign_strings(french, "fr", data), french
    assert set(french) != set(english)
    sign_in.sign_in_as(stranger)
    Shell(page, "fr").expect_signed_in(stranger)


def test_the_language_switch_turns_every_visible_string_of_the_shell_into_french(page, stranger):
    # given a user who sees no operation (so that the page holds no data but their
    # own), signed in in English on the operations page
    shell = signed_in(page, stranger, "en")
    page.wait_for_load_state("networkidle")
    data = _data_shown_to(stranger, shell.time_zone.input_value())
    english = visible_strings(page)
    assert not foreign_strings(english, "en", data), english

    # when they choose French in the header
    shell = shell.choose_language("fr")

    # then every visible string is French, and it stays so after a reload
    french = visible_strings(page)
    assert not foreign_strings(french, "fr", data), french
    assert set(french) != set(english)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.reload()
    Shell(page, "fr").expect_signed_in(stranger)
    assert not foreign_strings(visible_strings(page), "fr", data)


def _graphql_as_page_user(page, site, query: str, variables: dict | None = None) -> dict:
    """The API with the browser's own session (and CSRF token), as the app calls it."""
    endpoint = f"{site.url}/graphql/"
    if variables is None:
        response = page.request.get(f"{endpoint}?{urllib.parse.urlencode({'query': query})}")
    else:
        token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
        response = page.request.post(
            endpoint,
            data=json.dumps({"query": query, "variables": variables}),
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
        )
    assert response.ok, response.text()
    return response.json()["data"]


def test_the_time_zone_chosen_in_the_header_is_kept_for_the_user(page, site, cr_officer):
    """The zone is the user's (``me.timeZone``, written with ``updateMe``), not the
    browser's: it survives a reload and the API answers it.

    No page of the shell shows a time yet, so whether times are shown in this zone is
    for the journey test to see on the planner and the timeline.
    """
    # given an officer signed in, reading times in their zone
    shell = signed_in(page, cr_officer)
    before = _graphql_as_page_user(page, site, MY_TIME_ZONE)["me"]["timeZone"]
    assert before != "Asia/Tokyo"
    try:
        # when they choose Tokyo's zone in the header
        shell.choose_time_zone("Asia/Tokyo")

        # then it is theirs: after a reload the header shows it, and the API says it
        page.reload()
        expect(Shell(page).time_zone).to_have_value("Asia/Tokyo")
        assert _graphql_as_page_user(page, site, MY_TIME_ZONE)["me"]["timeZone"] == "Asia/Tokyo"
    finally:
        restored = _graphql_as_page_user(page, site, SET_MY_TIME_ZONE, {"zone": before})
        assert restored["updateMe"]["errors"] == []
