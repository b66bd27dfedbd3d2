"""My agency's open invitations, above the operations list: a card per operation
("CODE · Name") with Accept and Decline."""

from playwright.sync_api import Page, expect

WORDS = {
    "en": {
        "accept": "Accept",
        "decline": "Decline",
        "confirm": "Confirm",
        "back": "Back",
        "accepted": "Your agency takes part in {code}: it is now in your list.",
    },
    "fr": {
        "accept": "Accepter",
        "decline": "Décliner",
        "confirm": "Confirmer",
        "back": "Retour",
        "accepted": "Votre administration participe à {code} : l'opération figure désormais "
        "dans votre liste.",
    },
}


class Invitations:
    def __init__(self, page: Page, language: str = "en"):
        self.page, self.language = page, language
        self.words = WORDS[language]
        self.main = page.get_by_role("main")

    def card(self, code: str, name: str):
        return self.main.get_by_role("article", name=f"{code} · {name}", exact=True)

    def accept(self, code: str, name: str) -> None:
        """Accept the invitation to `code`: the card goes, and the app says so."""
        card = self.card(code, name)
        card.get_by_role("button", name=self.words["accept"], exact=True).click()
        expect(self.page.get_by_text(self.words["accepted"].format(code=code))).to_be_visible()
        expect(card).to_have_count(0)
