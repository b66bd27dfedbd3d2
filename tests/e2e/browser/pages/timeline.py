"""An operation's timeline (``/operations/<id>/timeline``): what happened and what is
planned, newest first (what comes next, then what happened) or oldest first (the whole
story), filtered by kind."""

from playwright.sync_api import Page, expect

WORDS = {
    "en": {
        "title": "Timeline",
        "kinds": {
            "PHASE": "Phases",
            "CONTROL_WINDOW": "Control windows",
            "STATUS_CHANGE": "Status changes",
            "PARTICIPATION_CHANGE": "Participation changes",
            "HIT": "Hits",
        },
        "newest": "Newest first",
        "oldest": "Oldest first",
        "next": "Coming next",
        "past": "So far",
        "all": "From the beginning",
        "your_time": "(your time)",
        "entries": {
            "created": "Operation created (draft)",
            "planned": "Operation planned",
            "activated": "Operation activated",
            "invited": "{agency} invited as participant",
            "accepted": "{agency} accepted the invitation",
            "PLANNING": "Planning phase begins",
            "OPERATIONAL": "Operational phase begins",
            "control": "Control window of {agency} at {place}",
        },
    },
    "fr": {
        "title": "Chronologie",
        "kinds": {
            "PHASE": "Phases",
            "CONTROL_WINDOW": "Fenêtres de contrôle",
            "STATUS_CHANGE": "Changements de statut",
            "PARTICIPATION_CHANGE": "Changements de participation",
            "HIT": "Résultats positifs",
        },
        "newest": "Les plus récents d'abord",
        "oldest": "Les plus anciens d'abord",
        "next": "À venir",
        "past": "Jusqu'ici",
        "all": "Depuis le début",
        "your_time": "(votre heure)",
        "entries": {
            "created": "Opération créée (brouillon)",
            "planned": "Opération planifiée",
            "activated": "Opération activée",
            "invited": "Invitation de {agency} (rôle\u00a0: participant)",
            "accepted": "{agency} a accepté l'invitation",
            "PLANNING": "Début de la phase de planification",
            "OPERATIONAL": "Début de la phase opérationnelle",
            "control": "Fenêtre de contrôle de {agency} à {place}",
        },
    },
}


class TimelinePage:
    def __init__(self, page: Page, language: str = "en"):
        self.page, self.language = page, language
        self.words = WORDS[language]
        self.main = page.get_by_role("main")

    def expect_shown(self) -> "TimelinePage":
        expect(
            self.main.get_by_role("heading", name=self.words["title"], exact=True)
        ).to_be_visible()
        return self

    def entry(self, key: str, **names) -> str:
        """The title of an entry, as the reader reads it (`key` of WORDS' entries)."""
        return self.words["entries"][key].format(**names)

    def section(self, name: str):
        """The list of entries `name` (next, past, all)."""
        return self.main.get_by_role("list", name=self.words[name], exact=True)

    def entries(self, name: str):
        return self.section(name).get_by_role("listitem")

    def order(self, order: str) -> None:
        """Read newest first (`order` "newest") or oldest first ("oldest")."""
        radio = self.main.get_by_role("radio", name=self.words[order], exact=True)
        radio.check()
        expect(radio).to_be_checked()

    def kind_filter(self, kind: str):
        return self.main.get_by_role("checkbox", name=self.words["kinds"][kind], exact=True)

    def lines(self, name: str) -> list[list[str]]:
        """Each entry of the list `name`, in order, as the lines a person reads (badges,
        title, details, times, who)."""
        return [
            [line.strip() for line in text.splitlines() if line.strip()]
            for text in self.entries(name).all_inner_texts()
        ]


def titles(entries: list[list[str]], known: set[str]) -> list[str | None]:
    """The title of each of `entries` (as :meth:`TimelinePage.lines` gives them): its line
    that is one of the `known` titles (None if it has none; the first if several)."""
    return [next((line for line in lines if line in known), None) for lines in entries]
