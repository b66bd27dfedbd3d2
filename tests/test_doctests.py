"""The examples in the docstrings of the pure modules are run, so they stay true."""

import doctest

import pytest

from operations import commodities, identifiers, locations


@pytest.mark.parametrize("module", [commodities, identifiers, locations])
def test_docstring_examples(module):
    result = doctest.testmod(module)

    assert result.attempted > 0 and result.failed == 0
