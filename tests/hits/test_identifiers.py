"""Identifiers of shipments, conveyances and people: canonical forms, check digits and the
codes a wrong one is refused with (operations/identifiers.py), and how the hit cleaner
reports them on the field at fault (operations/hit_services.clean_hit)."""

import pytest
from django.core.exceptions import ValidationError

from operations import identifiers
from operations.hit_services import clean_hit
from operations.models import HitIdentifier
from tests.hits.conftest import report, seizure

INVALID_IDENTIFIER = "INVALID_IDENTIFIER"
INVALID_CHECK_DIGIT = "INVALID_CHECK_DIGIT"


def codes_of(exc: ValidationError) -> list[str]:
    return [str(error.code) for error in exc.error_list]


def refusal(normalise, *args) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        normalise(*args)
    return codes_of(caught.value)


def errors_by_path(data: dict, operation) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        clean_hit(data, operation)
    return {
        path: codes_of(ValidationError(errors)) for path, errors in caught.value.error_dict.items()
    }


# --- ISO 6346 container numbers --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("CSQU3054383", "CSQU3054383"),  # the example of the standard
        ("csqu3054383", "CSQU3054383"),
        ("CSQU 305438 3", "CSQU3054383"),
        ("MSKU1234565", "MSKU1234565"),
        ("TGHU7614482", "TGHU7614482"),
    ],
)
def test_container_with_right_check_digit_is_normalised(value, canonical):
    assert identifiers.normalise_container(value) == canonical


@pytest.mark.parametrize("value", ["CSQU3054384", "CSQU3054380", "MSKU1234567", "TGHU7614480"])
def test_container_with_wrong_check_digit_is_refused_as_check_digit(value):
    assert refusal(identifiers.normalise_container, value) == [INVALID_CHECK_DIGIT]


@pytest.mark.parametrize(
    "value",
    [
        "CSQU305438",  # too short
        "CSQU30543833",  # too long
        "CSQA3054383",  # A is not an equipment category (U, J, Z)
        "1234567890A",
        "",
    ],
)
def test_malformed_container_is_refused_as_invalid_identifier(value):
    assert refusal(identifiers.normalise_container, value) == [INVALID_IDENTIFIER]


@pytest.mark.parametrize("value", ["CS4U3054386", "123U3054380"])
def test_container_owner_code_with_digits_is_refused(value):
    assert refusal(identifiers.normalise_container, value) == [INVALID_IDENTIFIER]


@pytest.mark.parametrize("value", ["csqu 305438-3", "CSQU-305438-3"])
def test_container_written_with_a_dash_before_the_check_digit_is_normalised(value):
    assert identifiers.normalise_container(value) == "CSQU3054383"


# --- IATA air waybills -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("020-12345675", "02012345675"),  # 1234567 % 7 == 5
        ("020 1234567 5", "02012345675"),
        ("176-98765435", "17698765435"),  # 9876543 % 7 == 5
        ("157-11111111", "15711111111"),  # 1111111 % 7 == 1
        ("00100000000", "00100000000"),
    ],
)
def test_air_waybill_with_right_check_digit_is_normalised(value, canonical):
    assert identifiers.normalise_air_waybill(value) == canonical


@pytest.mark.parametrize(
    "value",
    [
        "020-12345674",
        "020-12345676",
        "020-12345677",  # a remainder modulo 7 is never 7
        "176-98765439",
    ],
)
def test_air_waybill_with_wrong_check_digit_is_refused_as_check_digit(value):
    assert refusal(identifiers.normalise_air_waybill, value) == [INVALID_CHECK_DIGIT]


@pytest.mark.parametrize(
    "value", ["020-1234567", "020-123456755", "ABC-12345675", "02O-12345675", "", "020_12345675"]
)
def test_malformed_air_waybill_is_refused_as_invalid_identifier(value):
    assert refusal(identifiers.normalise_air_waybill, value) == [INVALID_IDENTIFIER]


# --- UPU S10 postal items ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("RR123456785CH", "RR123456785CH"),  # the example of the standard
        ("rr 123 456 785 ch", "RR123456785CH"),
        ("CP100000140DE", "CP100000140DE"),  # 11 - (45 % 11) == 10 -> check digit 0
        ("LX111111115LU", "LX111111115LU"),  # 11 - (44 % 11) == 11 -> check digit 5
        ("EE987654326US", "EE987654326US"),
        ("EE123456785UN", "EE123456785UN"),  # UN: items of the United Nations
    ],
)
def test_postal_item_with_right_check_digit_is_normalised(value, canonical):
    assert identifiers.normalise_postal_item(value) == canonical


@pytest.mark.parametrize(
    "value", ["RR123456784CH", "RR123456780CH", "CP100000145DE", "LX111111110LU"]
)
def test_postal_item_with_wrong_check_digit_is_refused_as_check_digit(value):
    assert refusal(identifiers.normalise_postal_item, value) == [INVALID_CHECK_DIGIT]


@pytest.mark.parametrize(
    "value",
    [
        "RR12345678CH",  # 8 digits in all
        "RR1234567855CH",
        "R1123456785CH",
        "RR123456785C",
        "RR123456785XX",  # XX is not a country
        "",
    ],
)
def test_malformed_postal_item_is_refused_as_invalid_identifier(value):
    assert refusal(identifiers.normalise_postal_item, value) == [INVALID_IDENTIFIER]


# --- IMO ship numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("9074729", "9074729"),
        ("IMO 9074729", "9074729"),
        ("IMO9321483", "9321483"),  # Emma Maersk
        ("9176187", "9176187"),
    ],
)
def test_imo_number_with_right_check_digit_is_normalised(value, canonical):
    assert identifiers.normalise_imo(value) == canonical


@pytest.mark.parametrize("value", ["9074728", "9321484", "IMO 9176180"])
def test_imo_number_with_wrong_check_digit_is_refused_as_check_digit(value):
    assert refusal(identifiers.normalise_imo, value) == [INVALID_CHECK_DIGIT]


@pytest.mark.parametrize("value", ["907472", "90747290", "IMO907472X", "ABCDEFG", ""])
def test_malformed_imo_number_is_refused_as_invalid_identifier(value):
    assert refusal(identifiers.normalise_imo, value) == [INVALID_IDENTIFIER]


# --- flight numbers and aircraft registrations -------------------------------------------


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("KL0713", "KL0713"),
        ("kl 713", "KL713"),
        ("U2 1234A", "U21234A"),
        ("7C1101", "7C1101"),
        ("AV-9", "AV9"),
    ],
)
def test_flight_number_is_normalised(value, canonical):
    assert identifiers.normalise_flight_number(value) == canonical


@pytest.mark.parametrize("value", ["KL", "KL12345", "KLM713", "713", "KL-7A13", ""])
def test_malformed_flight_number_is_refused(value):
    assert refusal(identifiers.normalise_flight_number, value) == [INVALID_IDENTIFIER]


@pytest.mark.parametrize(
    ("value", "canonical"),
    [("N123AB", "N123AB"), ("ti-bax", "TIBAX"), ("F-GXYZ", "FGXYZ"), ("HK 4567", "HK4567")],
)
def test_aircraft_registration_is_normalised(value, canonical):
    assert identifiers.normalise_aircraft_registration(value) == canonical


@pytest.mark.parametrize("value", ["12345", "N12345678", "N@12", "TI--BAX", ""])
def test_malformed_aircraft_registration_is_refused(value):
    assert refusal(identifiers.normalise_aircraft_registration, value) == [INVALID_IDENTIFIER]


def test_aircraft_registration_with_and_without_dash_has_one_canonical_form():
    assert identifiers.normalise_aircraft_registration(
        "TI-BAX"
    ) == identifiers.normalise_aircraft_registration("TIBAX")


# --- phones, e-mails, countries ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "region", "e164"),
    [
        ("+32 2 209 92 11", None, "+3222099211"),  # WCO, Brussels
        ("+32 2 209 92 11", "CR", "+3222099211"),  # a country code wins over the region
        ("+57 301 234 5678", "CR", "+573012345678"),
        ("8888 8888", "CR", "+50688888888"),  # no country code: the hit's country
        ("2222-1234", "CR", "+50622221234"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("0032 2 209 92 11", "FR", "+3222099211"),  # international prefix from France
    ],
)
def test_phone_is_normalised_to_e164(value, region, e164):
    assert identifiers.normalise_phone(value, region) == e164


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("8888 8888", None),  # no country code and no region
        ("12", "CR"),
        ("not a phone", "CR"),
        ("+1 555 0100", None),  # too short for the plan
        ("+32 2 209 92 11 99 99", None),
        ("", "CR"),
    ],
)
def test_invalid_phone_is_refused(value, region):
    assert refusal(identifiers.normalise_phone, value, region) == ["INVALID_PHONE"]


@pytest.mark.parametrize(
    ("value", "canonical"),
    [("Juan.Perez@Example.COM", "juan.perez@example.com"), ("  ops@wcoomd.org ", "ops@wcoomd.org")],
)
def test_email_is_normalised(value, canonical):
    assert identifiers.normalise_email(value) == canonical


@pytest.mark.parametrize(
    "value",
    [
        "not-an-email",
        "a@b",
        "juan@@example.com",
        "@example.com",
        "",
        "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "com",  # 260: Django's validator takes it
    ],
)
def test_invalid_email_is_refused(value):
    assert refusal(identifiers.normalise_email, value) == ["INVALID_EMAIL"]


@pytest.mark.parametrize(("value", "canonical"), [("cr", "CR"), (" NG ", "NG"), ("GB", "GB")])
def test_country_is_normalised_to_alpha_2(value, canonical):
    assert identifiers.normalise_country(value) == canonical


@pytest.mark.parametrize("value", ["XX", "UK", "CRI", "C", "", "Costa Rica"])
def test_invalid_country_is_refused(value):
    assert refusal(identifiers.normalise_country, value) == ["INVALID_COUNTRY"]


# --- through the hit cleaner: each fault on its own field ---------------------------------


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("container_number", "CSQU3054384", INVALID_CHECK_DIGIT),
        ("container_number", "CSQU30543", INVALID_IDENTIFIER),
        ("air_waybill", "020-12345674", INVALID_CHECK_DIGIT),
        ("air_waybill", "020-1234567", INVALID_IDENTIFIER),
        ("postal_item", "RR123456784CH", INVALID_CHECK_DIGIT),
        ("postal_item", "RR123456785XX", INVALID_IDENTIFIER),
        ("imo_number", "9074728", INVALID_CHECK_DIGIT),
        ("imo_number", "907472", INVALID_IDENTIFIER),
        ("flight_number", "KL12345", INVALID_IDENTIFIER),
        ("aircraft_registration", "12345", INVALID_IDENTIFIER),
        ("bill_of_lading", "B#L-1", INVALID_IDENTIFIER),
        ("vehicle_plate", "ÄÖ-1", INVALID_IDENTIFIER),
        ("departure_country", "XX", "INVALID_COUNTRY"),
        ("destination_country", "USA", "INVALID_COUNTRY"),
    ],
)
def test_bad_shipment_identifier_is_reported_on_its_field(active_operation, name, value, code):
    data = seizure(shipment={**seizure()["shipment"], name: value})

    assert errors_by_path(data, active_operation) == {f"shipment.{name}": [code]}


def test_bad_transit_country_is_reported_with_its_index(active_operation):
    data = seizure(shipment={"transit_countries": ["PA", "ZZ"]})

    assert errors_by_path(data, active_operation) == {
        "shipment.transit_countries.1": ["INVALID_COUNTRY"]
    }


def test_every_faulty_identifier_is_reported_at_once(active_operation):
    data = seizure(
        country="XX",
        shipment={"container_number": "CSQU3054384", "air_waybill": "020-12345674"},
        actors=[
            {
                "kind": "person",
                "role": "courier",
                "name": "A",
                "phones": ["12"],
                "emails": ["nope"],
                "nationality": "ZZ",
            }
        ],
    )

    assert errors_by_path(data, active_operation) == {
        "country": ["INVALID_COUNTRY"],
        "shipment.container_number": [INVALID_CHECK_DIGIT],
        "shipment.air_waybill": [INVALID_CHECK_DIGIT],
        "actors.0.nationality": ["INVALID_COUNTRY"],
        "actors.0.phones.0": ["INVALID_PHONE"],
        "actors.0.emails.0": ["INVALID_EMAIL"],
    }


def test_actor_phone_without_country_code_takes_the_country_of_the_hit(active_operation):
    actor = {"kind": "person", "role": "courier", "name": "Ana Mora", "phones": ["8888 8888"]}

    in_costa_rica = clean_hit(seizure(country="CR", actors=[actor]), active_operation)
    in_france = clean_hit(
        seizure(country="FR", actors=[{**actor, "phones": ["06 12 34 56 78"]}]), active_operation
    )

    assert in_costa_rica["actors"][0]["phones"] == ["+50688888888"]
    assert in_france["actors"][0]["phones"] == ["+33612345678"]


def test_actor_phone_without_country_code_is_refused_when_the_hit_country_is_unknown(
    active_operation,
):
    actor = {"kind": "person", "role": "courier", "name": "Ana Mora", "phones": ["8888 8888"]}

    assert errors_by_path(seizure(country="XX", actors=[actor]), active_operation) == {
        "country": ["INVALID_COUNTRY"],
        "actors.0.phones.0": ["INVALID_PHONE"],
    }


def test_stored_hit_indexes_identifiers_in_canonical_form(active_operation, officer):
    shipment = {
        "container_number": "csqu 305438 3",
        "air_waybill": "020 1234567 5",
        "postal_item": "rr123456785ch",
        "imo_number": "IMO 9074729",
        "flight_number": "kl 713",
        "departure_country": "co",
    }
    actors = [
        {
            "kind": "person",
            "role": "consignee",
            "name": "Ana Mora",
            "phones": ["8888 8888"],
            "emails": ["Ana.Mora@Example.com"],
            "documents": [{"kind": "passport", "number": "ab 123-456", "country": "cr"}],
        }
    ]

    hit = report(officer, active_operation, shipment=shipment, actors=actors).hit

    assert set(HitIdentifier.objects.filter(hit=hit).values_list("kind", "value")) == {
        ("container", "CSQU3054383"),
        ("air_waybill", "02012345675"),
        ("postal_item", "RR123456785CH"),
        ("imo", "9074729"),
        ("flight", "KL713"),
        ("phone", "+50688888888"),
        ("email", "ana.mora@example.com"),
        ("document", "CR:AB123456"),
    }
    hit.shipment.refresh_from_db()
    assert (hit.shipment.container_number, hit.shipment.departure_country) == ("CSQU3054383", "CO")


def test_a_long_email_is_stored_as_an_identifier(active_operation, officer):
    from operations.models import HitIdentifier
    from tests.hits.conftest import report

    email = "a" * 60 + "@" + "b" * 60 + "." + "c" * 60 + ".org"  # 186 characters
    actor = {"kind": "person", "role": "consignee", "name": "Long Mail", "emails": [email]}

    report(officer, active_operation, actors=[actor])

    assert HitIdentifier.objects.filter(kind="email", value=email).exists()
