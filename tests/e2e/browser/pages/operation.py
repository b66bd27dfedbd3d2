"""An operation's pages (``/operations/<id>/...``): the frame every section shares (its
code and name, status, planned dates in its zone and in mine, the section links) and the
overview with the lifecycle buttons."""

from playwright.sync_api import Page, expect

WORDS = {
    "en": {
        "sections": "Sections of the operation",
        "overview": "Overview",
        "plan": "Plan",
        "participants": "Participants",
        "timeline": "Timeline",
        "calendar": "Calendar",
        "edit": "Edit operation",
        "details": "Details",
        "lifecycle": "Status",
        "actions": {
            "PLANNED": "Plan",
            "ACTIVE": "Activate",
            "CLOSED": "Close",
            "ARCHIVED": "Archive",
            "CANCELLED": "Cancel operation",
        },
        "confirm": "Confirm",
        "back": "Back",
        "refused": "{action}: refused",
        "status": {
            "DRAFT": "Draft",
            "PLANNED": "Planned",
            "ACTIVE": "Active",
            "CLOSED": "Closed",
            "ARCHIVED": "Archived",
            "CANCELLED": "Cancelled",
        },
        "reasons": {
            "NO_ACCEPTED_PARTICIPANT": "No participating agency has accepted yet: invite one "
            "and wait for its answer.",
            "NO_OPERATIONAL_PHASE": "The plan has no operational phase yet: add one in the plan.",
        },
        "in_operation_zone": "(operation time, {zone})",
        "in_my_zone": "(your time, {zone})",
    },
    "fr": {
        "sections": "Rubriques de l'opération",
        "overview": "Vue d'ensemble",
        "plan": "Plan",
        "participants": "Participants",
        "timeline": "Chronologie",
        "calendar": "Calendrier",
        "edit": "Modifier l'opération",
        "details": "Détails",
        "lifecycle": "Statut",
        "actions": {
            "PLANNED": "Planifier",
            "ACTIVE": "Activer",
            "CLOSED": "Clôturer",
            "ARCHIVED": "Archiver",
            "CANCELLED": "Annuler l'opération",
        },
        "confirm": "Confirmer",
        "back": "Retour",
        "refused": "{action} : refusé",
        "status": {
            "DRAFT": "Brouillon",
            "PLANNED": "Planifiée",
            "ACTIVE": "Active",
            "CLOSED": "Clôturée",
            "ARCHIVED": "Archivée",
            "CANCELLED": "Annulée",
        },
        "reasons": {
            "NO_ACCEPTED_PARTICIPANT": "Aucune administration participante n'a encore accepté "
            ": invitez-en une et attendez sa réponse.",
            "NO_OPERATIONAL_PHASE": "Le plan n'a pas encore de phase opérationnelle : "
            "ajoutez-en une dans le plan.",
        },
        "in_operation_zone": "(heure de l'opération, {zone})",
        "in_my_zone": "(votre heure, {zone})",
    },
}

SECTIONS = ("overview", "plan", "participants", "timeline", "calendar")


class OperationPage:
    """The frame and the overview of the operation `code` · `name`."""

    def __init__(self, page: Page, language: str, code: str, name: str):
        self.page, self.language = page, language
        self.words = WORDS[language]
        self.code, self.name = code, name
        self.main = page.get_by_role("main")
        self.sections = page.get_by_role("navigation", name=self.words["sections"])

    @property
    def heading(self):
        return self.main.get_by_role("heading", level=2, name=f"{self.code} · {self.name}")

    def expect_shown(self) -> "OperationPage":
        expect(self.heading).to_be_visible()
        return self

    def expect_status(self, status: str) -> None:
        """The status badge beside the operation's name shows `status` (DRAFT, PLANNED...)."""
        heading = self.page.get_by_role("heading", level=2, name=f"{self.code} · {self.name}")
        title_row = self.main.locator("div").filter(has=heading).last
        expect(title_row).to_contain_text(self.words["status"][status])

    def open_section(self, section: str) -> None:
        """Follow the section link (overview, plan, participants, timeline, calendar)."""
        link = self.sections.get_by_role("link", name=self.words[section], exact=True)
        link.click()
        expect(link).to_have_attribute("aria-current", "page")

    def dates(self, which: str, zone: str):
        """The line of the planned dates in the operation's zone (`which` "operation") or
        in the reader's (`which` "mine"), naming `zone`."""
        key = "in_operation_zone" if which == "operation" else "in_my_zone"
        return self.main.get_by_text(self.words[key].format(zone=zone), exact=False)

    # The overview ------------------------------------------------------------------

    @property
    def details(self):
        return self.main.get_by_role("region", name=self.words["details"], exact=True)

    # The overview's lifecycle ------------------------------------------------------

    @property
    def lifecycle(self):
        return self.main.get_by_role("region", name=self.words["lifecycle"], exact=True)

    def lifecycle_button(self, status: str):
        # "Plan" is also a section link: the lifecycle's is a button in its own section.
        return self.lifecycle.get_by_role("button", name=self.words["actions"][status], exact=True)

    def transition(self, status: str) -> None:
        """Press the lifecycle button towards `status` and confirm in the dialog."""
        self.lifecycle_button(status).click()
        dialog = self.page.get_by_role("dialog")
        expect(dialog).to_contain_text(self.code)
        dialog.get_by_role("button", name=self.words["confirm"], exact=True).click()
        expect(dialog).to_have_count(0)

    def refusal(self, status: str):
        """The alert that says why the move towards `status` was refused."""
        action = self.words["actions"][status]
        return self.lifecycle.get_by_role("alert").filter(
            has_text=self.words["refused"].format(action=action)
        )

    def refusal_reason(self, code: str) -> str:
        return self.words["reasons"][code]
