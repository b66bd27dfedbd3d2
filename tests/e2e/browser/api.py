"""The GraphQL API as a test's own client sees it: a bearer token from
``manage.py create_api_token`` run against the live site's database. For arranging and
causing things the browser then shows, never for what the test asserts about the browser.
"""

import base64
import json
import urllib.request
from functools import cached_property

from tests.support.live import SiteOnFile

OPERATIONS = """
query DemoOperations {
  operations(first: 100) { edges { node { id code name description } } }
}"""
UPDATE_DESCRIPTION = """
mutation Describe($id: ID!, $description: String!) {
  updateOperation(id: $id, input: {description: $description}) {
    operation { id description } errors { field code message }
  }
}"""


def global_id(type_name: str, pk: int) -> str:
    """A Relay global id (e.g. of a row that does not exist)."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


class Api:
    def __init__(self, site: SiteOnFile, username: str):
        self.site, self.username = site, username

    @cached_property
    def token(self) -> str:
        return self.site.manage(
            "create_api_token", self.username, "--name", "browser tests"
        ).strip()

    def post(self, query: str, variables: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.site.url}/graphql/",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        assert "errors" not in answer, answer
        return answer["data"]

    def operations(self) -> list[dict]:
        """The operations this user sees: id, code, name, description."""
        return [edge["node"] for edge in self.post(OPERATIONS)["operations"]["edges"]]

    def operation(self, code: str) -> dict:
        return next(op for op in self.operations() if op["code"] == code)

    def describe_operation(self, operation_id: str, description: str) -> None:
        payload = self.post(UPDATE_DESCRIPTION, {"id": operation_id, "description": description})
        assert payload["updateOperation"]["errors"] == [], payload
