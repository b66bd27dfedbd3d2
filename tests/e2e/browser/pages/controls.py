"""Controls of the component library, used as a person does: by role and name."""

from playwright.sync_api import Page


def pick(page: Page, label: str, option: str, *, search: str | None = None) -> None:
    """Open the drop-down list named `label`, optionally type `search` to narrow it, and
    choose `option` (the caller checks the outcome: the label may change with it)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    if search is not None:
        box.fill(search)
    page.get_by_role("option", name=option, exact=True).click()
