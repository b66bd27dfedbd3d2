"""The operations list (``/operations``)."""

from playwright.sync_api import Page, expect

WORDS = {
    "en": {"new": "New operation", "search": "Search by code or name", "next": "Next page"},
    "fr": {
        "new": "Nouvelle opération",
        "search": "Rechercher par code ou nom",
        "next": "Page suivante",
    },
    "es": {
        "new": "Nueva operación",
        "search": "Buscar por código o nombre",
        "next": "Página siguiente",
    },
}


class OperationsListPage:
    def __init__(self, page: Page, language: str = "en"):
        self.page, self.language = page, language
        self.main = page.get_by_role("main")

    def open(self) -> "OperationsListPage":
        self.page.goto("/operations")
        self.page.wait_for_load_state("networkidle")
        return self

    def text(self) -> str:
        return self.main.inner_text()

    def expect_listed(self) -> "OperationsListPage":
        """The list has come (for a reader who sees some operation: its paging shows)."""
        expect(
            self.main.get_by_role("button", name=WORDS[self.language]["next"], exact=True)
        ).to_be_visible()
        return self

    @property
    def new_operation_link(self):
        return self.main.get_by_role("link", name=WORDS[self.language]["new"], exact=True)

    @property
    def search(self):
        return self.main.get_by_role("searchbox", name=WORDS[self.language]["search"], exact=True)

    def operation_link(self, code: str):
        """The link to the operation `code` (its code is the link, in a row or a card)."""
        return self.main.get_by_role("link", name=code, exact=True)
