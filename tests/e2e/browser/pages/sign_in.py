"""The sign-in page (the app's own, at /signin or at any page of the app when signed out)."""

import json

from playwright.sync_api import Page, expect

from tests.e2e.browser.pages.controls import pick
from tests.e2e.browser.personas import Persona

WORDS = {
    "en": {
        "title": "Sign in to JointOps",
        "username": "Username",
        "password": "Password",
        "submit": "Sign in",
        "language": "Language",
        "wrong": "The username and password do not match.",
    },
    "fr": {
        "title": "Connexion à JointOps",
        "username": "Nom d'utilisateur",
        "password": "Mot de passe",
        "submit": "Se connecter",
        "language": "Langue",
        "wrong": "Le nom d'utilisateur et le mot de passe ne correspondent pas.",
    },
    "es": {
        "title": "Iniciar sesión en JointOps",
        "username": "Usuario",
        "password": "Contraseña",
        "submit": "Iniciar sesión",
        "language": "Idioma",
        "wrong": "El usuario y la contraseña no coinciden.",
    },
}
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}
_PREFER_LANGUAGE = """try {
  if (!localStorage.getItem("jointops.language")) localStorage.setItem("jointops.language", LANGUAGE);
} catch (error) {}"""


def prefer_language(page: Page, language: str) -> None:
    """What a person chose on an earlier visit (the app keeps it in localStorage)."""
    page.add_init_script(
        _PREFER_LANGUAGE.replace("LANGUAGE", json.dumps(language)),
    )


class SignInPage:
    def __init__(self, page: Page, language: str = "en"):
        self.page, self.language = page, language
        self.words = WORDS[language]

    def open(self, path: str = "/signin") -> "SignInPage":
        self.page.goto(path)
        return self.expect_shown()

    def expect_shown(self) -> "SignInPage":
        expect(self.page.get_by_role("heading", name=self.words["title"])).to_be_visible()
        return self

    @property
    def username(self):
        return self.page.get_by_role("textbox", name=self.words["username"], exact=True)

    @property
    def password(self):
        return self.page.get_by_role("textbox", name=self.words["password"], exact=True)

    @property
    def submit(self):
        return self.page.get_by_role("button", name=self.words["submit"], exact=True)

    @property
    def refusal(self):
        return self.page.get_by_role("alert")

    def sign_in(self, username: str, password: str) -> None:
        self.username.fill(username)
        self.password.fill(password)
        self.submit.click()

    def sign_in_as(self, persona: Persona) -> None:
        self.sign_in(persona.username, persona.password)

    def choose_language(self, language: str) -> "SignInPage":
        pick(self.page, self.words["language"], LANGUAGE_NAMES[language])
        chosen = SignInPage(self.page, language).expect_shown()
        expect(self.page.get_by_role("combobox", name=chosen.words["language"])).to_have_value(
            LANGUAGE_NAMES[language]
        )
        return chosen
