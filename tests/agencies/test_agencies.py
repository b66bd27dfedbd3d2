import pytest
from django.core.exceptions import ValidationError

from agencies.error_codes import AgencyErrorCode
from agencies.models import Agency
from tests.conftest import make_agency, make_user


@pytest.mark.parametrize(
    ("kind", "country"),
    [
        (Agency.Kind.CUSTOMS, "XX"),
        (Agency.Kind.CUSTOMS, "be"),
        (Agency.Kind.CUSTOMS, ""),
        (Agency.Kind.INTERNATIONAL_ORGANISATION, "BE"),
    ],
)
def test_agency_country_must_be_iso_3166_and_match_kind(db, kind, country):
    agency = Agency(name="X", acronym="X", kind=kind, country=country)

    with pytest.raises(ValidationError) as raised:
        agency.full_clean()

    codes = {e.code for errors in raised.value.error_dict.values() for e in errors}
    assert codes == {AgencyErrorCode.INVALID_COUNTRY}


def test_agency_has_its_own_group_and_users_follow_their_agency(db):
    be, fr = make_agency("BE-C", country="BE"), make_agency("FR-C", country="FR")
    user = make_user("someone", be)
    assert list(user.groups.all()) == [be.group]

    user.agency = fr
    user.save()

    assert list(user.groups.all()) == [fr.group]
    assert be.group != fr.group


def test_country_name_comes_from_iso_3166(db):
    assert make_agency("NG-C", country="NG").country_name == "Nigeria"
