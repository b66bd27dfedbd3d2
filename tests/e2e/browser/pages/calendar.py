"""An operation's calendar links (``/operations/<id>/calendar``): this operation's feed and
mine, to subscribe to or download, and my calendar key."""

from playwright.sync_api import Page, expect

WORDS = {
    "en": {
        "title": "Calendar links",
        "create": "Create my calendar links",
        "created": "Your calendar links are ready.",
        "download": "Download this operation's calendar (.ics)",
        "address": "Address of this operation's calendar",
    },
    "fr": {
        "title": "Liens de calendrier",
        "create": "Créer mes liens de calendrier",
        "created": "Vos liens de calendrier sont prêts.",
        "download": "Télécharger le calendrier de cette opération (.ics)",
        "address": "Adresse du calendrier de cette opération",
    },
}


class CalendarPage:
    def __init__(self, page: Page, language: str = "en"):
        self.page, self.language = page, language
        self.words = WORDS[language]
        self.main = page.get_by_role("main")

    def expect_shown(self) -> "CalendarPage":
        expect(
            self.main.get_by_role("heading", name=self.words["title"], exact=True)
        ).to_be_visible()
        return self

    @property
    def download_link(self):
        return self.main.get_by_role("link", name=self.words["download"], exact=True)

    @property
    def create_button(self):
        return self.main.get_by_role("button", name=self.words["create"], exact=True)

    def ensure_links(self) -> None:
        """Create my calendar links when I have none yet (my key serves every operation:
        an earlier visit may have made it)."""
        expect(self.download_link.or_(self.create_button)).to_be_visible()
        if self.create_button.is_visible():
            self.create_button.click()
            expect(
                self.main.get_by_role("status").filter(has_text=self.words["created"])
            ).to_be_visible()
        expect(self.download_link).to_be_visible()

    def download(self):
        """Download this operation's calendar: Playwright's Download."""
        with self.page.expect_download() as download:
            self.download_link.click()
        return download.value

    def fetch(self):
        """What the server answers at the download link's address, fetched again with the
        browser's cookies (a download shows no headers): an APIResponse."""
        return self.page.request.get(self.download_link.get_attribute("href"))
