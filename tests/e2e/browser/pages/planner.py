"""The planner (``/operations/<id>/plan``): phases and control windows on a time axis per
agency and place (or as a list), planned in a drawer whose refusals are shown on the
field they concern."""

import re
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.e2e.browser.pages.operation_form import type_date_time

WORDS = {
    "en": {
        "title": "Plan",
        "add_phase": "Add a phase",
        "add_control": "Add a control window",
        "axis": "Time axis",
        "list": "List",
        "new_phase": "New phase",
        "new_control": "New control window",
        "kind": "Kind",
        "kinds": {
            "PLANNING": "Planning phase",
            "BRIEFING": "Briefing phase",
            "OPERATIONAL": "Operational phase",
            "FOLLOW_UP": "Follow-up phase",
            "CONTROL": "Control window",
        },
        "participation": "Participating agency",
        "location_code": "Location code",
        "location_name": "Place name",
        "start": "Start",
        "end": "End",
        "date": "{label} (date)",
        "time": "{label} (time)",
        "notes": "Notes",
        "create": "Create",
        "cancel": "Cancel",
        "keep_anyway": "Keep anyway",
        "planned": "Planned",
        "close": "Close",
        "phase_name": "{kind}, ",
        "control_name": "Control window {agency} at {place}, ",
        "overlap": "This control window overlaps another one of the same agency at the same "
        "place. It overlaps: ",
    },
    "fr": {
        "title": "Plan",
        "add_phase": "Ajouter une phase",
        "add_control": "Ajouter une fenêtre de contrôle",
        "axis": "Axe du temps",
        "list": "Liste",
        "new_phase": "Nouvelle phase",
        "new_control": "Nouvelle fenêtre de contrôle",
        "kind": "Type",
        "kinds": {
            "PLANNING": "Phase de planification",
            "BRIEFING": "Phase de briefing",
            "OPERATIONAL": "Phase opérationnelle",
            "FOLLOW_UP": "Phase de suivi",
            "CONTROL": "Fenêtre de contrôle",
        },
        "participation": "Administration participante",
        "location_code": "Code du lieu",
        "location_name": "Nom du lieu",
        "start": "Début",
        "end": "Fin",
        "date": "{label} (date)",
        "time": "{label} (heure)",
        "notes": "Notes",
        "create": "Créer",
        "cancel": "Annuler",
        "keep_anyway": "Conserver quand même",
        "planned": "Prévue",
        "close": "Fermer",
        "phase_name": "{kind}, ",
        "control_name": "Fenêtre de contrôle {agency} à {place}, ",
        "overlap": "Cette fenêtre de contrôle chevauche une autre fenêtre de la même "
        "administration au même lieu. Elle chevauche : ",
    },
}


@dataclass(frozen=True)
class Window:
    """A phase (`agency` None) or a control window as a coordinator types it: `kind` is
    the API's (PLANNING, OPERATIONAL, CONTROL...), dates YYYY-MM-DD and times HH:MM in the
    operation's zone; `agency` is the participating agency's option as listed
    ("ACRONYM · Name")."""

    kind: str
    start_date: str
    start_time: str
    end_date: str
    end_time: str
    agency: str | None = None
    location_code: str = ""
    location_name: str = ""
    notes: str = ""

    @property
    def acronym(self) -> str:
        return (self.agency or "").split(" · ")[0]


class WindowDrawer:
    """The drawer a phase or a control window is planned in."""

    def __init__(self, page: Page, words: dict, title: str):
        self.page, self.words = page, words
        self.dialog = page.get_by_role("dialog", name=title)

    def fill(self, window: Window) -> None:
        words, dialog = self.words, self.dialog
        dialog.get_by_role("combobox", name=words["kind"], exact=True).select_option(
            label=words["kinds"][window.kind]
        )
        if window.agency is not None:
            dialog.get_by_role("combobox", name=words["participation"], exact=True).select_option(
                label=window.agency
            )
            dialog.get_by_label(words["location_code"], exact=True).fill(window.location_code)
            dialog.get_by_label(words["location_name"], exact=True).fill(window.location_name)
        type_date_time(dialog, words, words["start"], window.start_date, window.start_time)
        type_date_time(dialog, words, words["end"], window.end_date, window.end_time)
        if window.notes:
            dialog.get_by_role("textbox", name=words["notes"], exact=True).fill(window.notes)

    def submit(self) -> None:
        self.dialog.get_by_role("button", name=self.words["create"], exact=True).click()

    def cancel(self) -> None:
        self.dialog.get_by_role("button", name=self.words["cancel"], exact=True).click()
        self.expect_closed()

    def expect_closed(self) -> None:
        """The drawer is gone (its title empties as it starts closing: wait for the end)."""
        expect(self.page.get_by_role("dialog")).to_have_count(0)

    def date_box(self, label_key: str, within=None):
        label = self.words[label_key]
        return (within or self.dialog).get_by_role(
            "textbox", name=self.words["date"].format(label=label), exact=True
        )

    def field_with_message(self, label_key: str, message: str):
        """Where `message` is shown with the field `label_key` (start, end): the parts of
        the form that hold both the field's date box and the message, but not the other
        date-time field (none when the message is elsewhere)."""
        other = "end" if label_key == "start" else "start"
        return (
            self.dialog.locator("div")
            .filter(has=self.date_box(label_key, within=self.page))
            .filter(has_not=self.date_box(other, within=self.page))
            .filter(has_text=message)
        )


class PlannerPage:
    def __init__(self, page: Page, language: str = "en"):
        self.page, self.language = page, language
        self.words = WORDS[language]
        self.main = page.get_by_role("main")

    def expect_shown(self) -> "PlannerPage":
        expect(
            self.main.get_by_role("heading", level=2, name=self.words["title"], exact=True)
        ).to_be_visible()
        return self

    def show_as(self, view: str) -> None:
        """Show the plan on the time axis (`view` "axis") or as a list ("list")."""
        button = self.main.get_by_role("button", name=self.words[view], exact=True)
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")

    def window_button(self, window: Window):
        """The window's bar (on the axis) or line (in the list), a button named after it."""
        start = self._name_start(window)
        return self.main.get_by_role("button", name=re.compile("^" + re.escape(start)))

    def _name_start(self, window: Window) -> str:
        """How the planner's name of `window` begins (the times follow)."""
        if window.agency is None:
            return self.words["phase_name"].format(kind=self.words["kinds"][window.kind])
        return self.words["control_name"].format(agency=window.acronym, place=window.location_code)

    def open_new(self, window: Window) -> WindowDrawer:
        words = self.words
        if window.agency is None:
            self.main.get_by_role("button", name=words["add_phase"], exact=True).click()
            drawer = WindowDrawer(self.page, words, words["new_phase"])
        else:
            self.main.get_by_role("button", name=words["add_control"], exact=True).click()
            drawer = WindowDrawer(self.page, words, words["new_control"])
        expect(drawer.dialog).to_be_visible()
        return drawer

    def plan(self, window: Window) -> None:
        """Plan `window` and see it planned: the drawer closes with "Planned", and the
        plan shows one more button of its name."""
        before = self.window_button(window).count()
        drawer = self.open_new(window)
        drawer.fill(window)
        drawer.submit()
        drawer.expect_closed()
        notice = (
            self.page.get_by_role("alert")
            .filter(has_text=self.words["planned"])
            .filter(has_text=self._name_start(window))
            .last
        )
        expect(notice).to_be_visible()
        # Read, it is closed: it sits over the drawer's buttons for a few seconds.
        notice.get_by_role("button", name=self.words["close"], exact=True).click()
        expect(notice).to_have_count(0)
        expect(self.window_button(window)).to_have_count(before + 1)

    def overlap_message(self) -> re.Pattern:
        return re.compile("^" + re.escape(self.words["overlap"]))
