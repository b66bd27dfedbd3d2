"""The operation form (``/operations/new`` and ``/operations/<id>/edit``): code, name,
focus, zone, planned start and end (each a date field and a time field, typed in the
operation's zone), default marking."""

from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.e2e.browser.pages.controls import pick

WORDS = {
    "en": {
        "title": "New operation",
        "code": "Code",
        "name": "Name",
        "description": "Description",
        "focus": "Focus",
        "zone": "Operation time zone",
        "start": "Planned start",
        "end": "Planned end",
        "date": "{label} (date)",
        "time": "{label} (time)",
        "create": "Create operation",
        "save": "Save changes",
        "cancel": "Cancel",
        "focuses": {"DRUGS": "Drugs", "CONTAINERS": "Containers", "PRECURSORS": "Precursors"},
    },
    "fr": {
        "title": "Nouvelle opération",
        "code": "Code",
        "name": "Nom",
        "description": "Description",
        "focus": "Thème",
        "zone": "Fuseau horaire de l'opération",
        "start": "Début prévu",
        "end": "Fin prévue",
        "date": "{label} (date)",
        "time": "{label} (heure)",
        "create": "Créer l'opération",
        "save": "Enregistrer les modifications",
        "cancel": "Annuler",
        "focuses": {"DRUGS": "Drogues", "CONTAINERS": "Conteneurs", "PRECURSORS": "Précurseurs"},
    },
}


@dataclass(frozen=True)
class OperationDraft:
    """What a coordinator types in the form. Dates are YYYY-MM-DD and times HH:MM in
    `zone`; `focus` and `marking` are the API's values (DRUGS, GREEN...)."""

    code: str
    name: str
    description: str
    focus: str
    zone: str
    start_date: str
    start_time: str
    end_date: str
    end_time: str
    marking: str


def type_date_time(scope, words: dict, label: str, date: str, time: str) -> None:
    """Type a zoned date-time field (a date field with a calendar, and the browser's time
    field) as a person does: the date, Tab (which closes the calendar), the time."""
    date_box = scope.get_by_role("textbox", name=words["date"].format(label=label), exact=True)
    date_box.fill(date)
    date_box.press("Tab")
    scope.get_by_label(words["time"].format(label=label), exact=True).fill(time)


class OperationFormPage:
    def __init__(self, page: Page, language: str = "en"):
        self.page, self.language = page, language
        self.words = WORDS[language]
        self.main = page.get_by_role("main")

    def expect_shown(self) -> "OperationFormPage":
        expect(
            self.main.get_by_role("heading", name=self.words["title"], exact=True)
        ).to_be_visible()
        return self

    @property
    def submit_button(self):
        return self.main.get_by_role("button", name=self.words["create"], exact=True)

    def fill(self, draft: OperationDraft) -> None:
        words, main = self.words, self.main
        main.get_by_role("textbox", name=words["code"], exact=True).fill(draft.code)
        main.get_by_role("textbox", name=words["name"], exact=True).fill(draft.name)
        main.get_by_role("textbox", name=words["description"], exact=True).fill(draft.description)
        pick(self.page, words["focus"], words["focuses"][draft.focus])
        # The zone first: the dates are typed in it.
        pick(self.page, words["zone"], draft.zone, search=draft.zone)
        expect(self.page.get_by_role("combobox", name=words["zone"], exact=True)).to_have_value(
            draft.zone
        )
        type_date_time(main, words, words["start"], draft.start_date, draft.start_time)
        type_date_time(main, words, words["end"], draft.end_date, draft.end_time)
        main.get_by_role("radio", name=f"TLP:{draft.marking}", exact=True).check()

    def create(self, draft: OperationDraft) -> str:
        """Fill and send the form; the new operation's id (from the address it opens)."""
        self.fill(draft)
        self.submit_button.click()
        self.page.wait_for_url(lambda url: "/operations/" in url and not url.endswith("/new"))
        return self.page.url.rstrip("/").rsplit("/", 1)[-1]
