"""GraphiQL at /graphql/, bundled with the app: editors, the run button, the result."""

import json

from playwright.sync_api import Page, expect


class GraphiQLPage:
    def __init__(self, page: Page):
        self.page = page
        self.operation_editor = page.get_by_role("region", name="Operation Editor")
        self.variables_editor = page.get_by_role("region", name="Variables")
        self.result = page.get_by_role("region", name="Result Window")

    def expect_shown(self) -> "GraphiQLPage":
        expect(self.operation_editor).to_be_visible()
        expect(self.result).to_be_visible()
        return self

    def open_documentation(self):
        self.page.get_by_role("button", name="Show Documentation Explorer").click()
        return self.page.get_by_role("region", name="Documentation Explorer")

    def _type_into(self, editor, text: str) -> None:
        # The editor (Monaco) indents after a newline and closes brackets as they are
        # typed; typed as one line, the text arrives as written.
        box = editor.get_by_role("textbox")
        box.focus()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(" ".join(text.split()))

    def write_operation(self, document: str) -> None:
        self._type_into(self.operation_editor, document)
        expect(self.operation_editor).to_contain_text(" ".join(document.split()))

    def write_variables(self, variables: dict) -> None:
        self._type_into(self.variables_editor, json.dumps(variables))

    def run(self) -> None:
        self.page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
