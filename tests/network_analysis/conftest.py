"""Operations with planted structure (network_analysis.synthetic) for the analysis tests."""

import pytest

from network_analysis import synthetic
from operations import services
from tests.conftest import accept, make_operation


@pytest.fixture
def analyst(cr_customs):
    from tests.conftest import make_user

    return make_user("cr.analyst", cr_customs)


@pytest.fixture
def planted_operation(coordinator, officer, observer, ng_officer, analyst):
    """A closed-loop operation: officer's and NG customs' agencies report, the observer
    observes, ``analyst`` (CR customs) is named analyst. No hits yet: tests plant them."""
    op = make_operation(coordinator, code="PLANTED-OP")
    accept(op, coordinator, officer)
    accept(op, coordinator, ng_officer)
    accept(op, coordinator, observer, role="observer")
    services.operation_update(actor=coordinator, operation=op, analysts=[analyst])
    return op


@pytest.fixture
def planted(planted_operation):
    return synthetic.plant(planted_operation, hits=120, cells=4, per_cell=6, duplicates=30, seed=7)


@pytest.fixture
def second_planted_operation(planted_operation, coordinator, officer, ng_officer, analyst):
    """PLANTED-OP-2: the same agencies as ``planted_operation``, ``analyst`` named analyst
    too. No hits yet."""
    op = make_operation(coordinator, code="PLANTED-OP-2")
    accept(op, coordinator, officer)
    accept(op, coordinator, ng_officer)
    services.operation_update(actor=coordinator, operation=op, analysts=[analyst])
    return op
