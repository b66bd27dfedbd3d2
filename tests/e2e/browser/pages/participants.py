"""An operation's participants (``/operations/<id>/participants``): who takes part, in
which role and state, and the coordinators' form to invite an agency."""

import re

from playwright.sync_api import Page, expect

WORDS = {
    "en": {
        "title": "Participants",
        "invite_title": "Invite an agency",
        "agency": "Agency",
        "role": "Role",
        "locations": "Locations",
        "invite": "Invite agency",
        "invited": "{agency} is invited.",
        "dismiss": "Dismiss this message",
        "states": {
            "INVITED": "Invited",
            "ACCEPTED": "Accepted",
            "DECLINED": "Declined",
            "WITHDRAWN": "Withdrawn",
        },
    },
    "fr": {
        "title": "Participants",
        "invite_title": "Inviter une administration",
        "agency": "Administration",
        "role": "Rôle",
        "locations": "Lieux",
        "invite": "Inviter l'administration",
        "invited": "{agency} est invitée.",
        "dismiss": "Masquer ce message",
        "states": {
            "INVITED": "Invitée",
            "ACCEPTED": "Acceptée",
            "DECLINED": "Déclinée",
            "WITHDRAWN": "Retirée",
        },
    },
}


class ParticipantsPage:
    def __init__(self, page: Page, language: str = "en"):
        self.page, self.language = page, language
        self.words = WORDS[language]
        self.main = page.get_by_role("main")
        self.invite_form = self.main.get_by_role("region", name=self.words["invite_title"])

    def expect_shown(self) -> "ParticipantsPage":
        expect(
            self.main.get_by_role("heading", name=self.words["title"], exact=True)
        ).to_be_visible()
        return self

    def row(self, acronym: str):
        """The table's row of the agency `acronym` (desktop width)."""
        return self.main.get_by_role("row").filter(
            has=self.page.get_by_role("rowheader").filter(has_text=acronym)
        )

    def expect_state(self, acronym: str, state: str) -> None:
        expect(self.row(acronym)).to_contain_text(self.words["states"][state])

    def invite(self, acronym: str, locations: list[str]) -> None:
        """Invite the agency `acronym` as a participant covering `locations`: the agency is
        searched on the server by what is typed, then chosen in the list."""
        form, words = self.invite_form, self.words
        agency = form.get_by_role("combobox", name=words["agency"], exact=True)
        agency.click()
        agency.fill(acronym)
        self.page.get_by_role("option", name=re.compile(rf"^{re.escape(acronym)} · ")).click()
        expect(agency).to_have_value(re.compile(rf"^{re.escape(acronym)} · "))
        places = form.get_by_label(words["locations"], exact=True)
        for code in locations:
            places.fill(code)
            places.press("Enter")
        for code in locations:
            expect(form).to_contain_text(code)
        form.get_by_role("button", name=words["invite"], exact=True).click()
        notice = self.page.get_by_role("alert").filter(
            has_text=words["invited"].format(agency=acronym)
        )
        expect(notice).to_be_visible()
        self.expect_state(acronym, "INVITED")
        # Read, it is closed (it would cover the bottom right of the next pages a while).
        notice.get_by_role("button", name=words["dismiss"], exact=True).click()
        expect(notice).to_have_count(0)
