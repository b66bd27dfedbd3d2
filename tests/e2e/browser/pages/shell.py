"""The frame of every signed-in page: header (who, agency, language, time zone, sign-out)
and the navigation. At phone width the header keeps the menu button and the navigation
holds the rest."""

from playwright.sync_api import Page, expect

from tests.e2e.browser.pages.controls import pick
from tests.e2e.browser.pages.sign_in import LANGUAGE_NAMES, SignInPage, prefer_language
from tests.e2e.browser.personas import Persona

WORDS = {
    "en": {
        "operations": "Operations",
        "sign_out": "Sign out",
        "language": "Language",
        "time_zone": "Time zone",
        "menu": "Menu",
        "navigation": "Main navigation",
    },
    "fr": {
        "operations": "Opérations",
        "sign_out": "Se déconnecter",
        "language": "Langue",
        "time_zone": "Fuseau horaire",
        "menu": "Menu",
        "navigation": "Navigation principale",
    },
    "es": {
        "operations": "Operaciones",
        "sign_out": "Cerrar sesión",
        "language": "Idioma",
        "time_zone": "Zona horaria",
        "menu": "Menú",
        "navigation": "Navegación principal",
    },
}


class Shell:
    def __init__(self, page: Page, language: str = "en"):
        self.page, self.language = page, language
        self.words = WORDS[language]
        self.header = page.get_by_role("banner")
        self.navigation = page.get_by_role("navigation", name=self.words["navigation"])
        self.main = page.get_by_role("main")

    @property
    def menu_button(self):
        return self.header.get_by_role("button", name=self.words["menu"], exact=True)

    def _reveal(self):
        """Where the user's controls are: the header, or at phone width the opened menu."""
        if self.menu_button.is_visible():
            if self.menu_button.get_attribute("aria-expanded") != "true":
                self.menu_button.click()
            return self.navigation
        return self.header

    def expect_signed_in(self, persona: Persona) -> "Shell":
        place = self._reveal()
        expect(place).to_contain_text(persona.name)
        expect(place).to_contain_text(persona.agency_acronym)
        expect(self.navigation.get_by_role("link", name=self.words["operations"])).to_be_visible()
        return self

    def open_operations(self) -> None:
        self._reveal()
        self.navigation.get_by_role("link", name=self.words["operations"]).click()

    def choose_language(self, language: str) -> "Shell":
        self._reveal()
        pick(self.page, self.words["language"], LANGUAGE_NAMES[language])
        shell = Shell(self.page, language)
        expect(shell.page.get_by_role("combobox", name=shell.words["language"])).to_have_value(
            LANGUAGE_NAMES[language]
        )
        return shell

    def choose_time_zone(self, zone: str) -> None:
        """Choose `zone` (an IANA name) and wait until the server has kept it (updateMe)."""
        self._reveal()
        with self.page.expect_response(
            lambda r: r.url.endswith("/graphql/") and "updateMe" in (r.request.post_data or "")
        ) as answer:
            pick(self.page, self.words["time_zone"], zone, search=zone)
        assert answer.value.ok, answer.value.status
        expect(self.time_zone).to_have_value(zone)

    @property
    def time_zone(self):
        self._reveal()
        return self.page.get_by_role("combobox", name=self.words["time_zone"], exact=True)

    def sign_out(self) -> SignInPage:
        self._reveal()
        self.page.get_by_role("button", name=self.words["sign_out"], exact=True).click()
        return SignInPage(self.page, self.language).expect_shown()


def signed_in(page: Page, persona: Persona, language: str = "en", path: str = "/operations"):
    """`page` signed in as `persona` through the sign-in page, reading `language` (as if
    chosen on an earlier visit), on the app's `path`; the shell of that page."""
    prefer_language(page, language)
    page.goto(path)
    SignInPage(page, language).expect_shown().sign_in_as(persona)
    return Shell(page, language).expect_signed_in(persona)
