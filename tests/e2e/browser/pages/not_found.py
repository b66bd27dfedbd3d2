"""What the app shows for a page that does not exist, or that one may not see."""

from playwright.sync_api import Page, expect

WORDS = {
    "en": {"title": "Not found", "back": "Back to the operations"},
    "fr": {"title": "Introuvable", "back": "Retour aux opérations"},
    "es": {"title": "No encontrado", "back": "Volver a las operaciones"},
}


class NotFoundPage:
    def __init__(self, page: Page, language: str = "en"):
        self.page, self.words = page, WORDS[language]

    def expect_shown(self) -> "NotFoundPage":
        expect(self.page.get_by_role("heading", name=self.words["title"])).to_be_visible()
        return self
