"""The operations list (``/operations``)."""

from playwright.sync_api import Page


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
