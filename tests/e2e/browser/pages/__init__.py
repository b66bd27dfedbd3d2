"""Page objects: one per screen, found by role, label and text as a person finds them."""

from tests.e2e.browser.pages.graphiql import GraphiQLPage
from tests.e2e.browser.pages.not_found import NotFoundPage
from tests.e2e.browser.pages.operations import OperationsListPage
from tests.e2e.browser.pages.shell import Shell, signed_in
from tests.e2e.browser.pages.sign_in import SignInPage, prefer_language

__all__ = [
    "GraphiQLPage",
    "NotFoundPage",
    "OperationsListPage",
    "Shell",
    "SignInPage",
    "prefer_language",
    "signed_in",
]
