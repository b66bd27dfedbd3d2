"""Identifiers of shipments, conveyances and people: normalise, and verify check digits
where a standard defines one. Each ``normalise_*`` returns the canonical form or raises
``ValidationError`` with a code from `operations.error_codes`.

>>> normalise_container("csqu 305438-3")
'CSQU3054383'
>>> normalise_air_waybill("020-1234567-5")
'02012345675'
>>> normalise_postal_item("rr123456785ch")
'RR123456785CH'
>>> normalise_phone("+32 2 209 92 11")
'+3222099211'
"""

import re

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum import imo, iso6346
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from operations.error_codes import OperationErrorCode as Code


def _compact(value: str) -> str:
    return re.sub(r"[\s\-./]", "", value or "").upper()


def _invalid(message: str, code: Code = Code.INVALID_IDENTIFIER) -> ValidationError:
    return ValidationError(message, code=code)


def _stdnum(module, value: str, number: str, name: str) -> str:
    """Validate `number` with a python-stdnum module; refusals name the standard."""
    try:
        return module.validate(number)
    except InvalidChecksum as exc:
        raise _invalid(f"{value}: wrong {name} check digit.", Code.INVALID_CHECK_DIGIT) from exc
    except StdnumError as exc:
        raise _invalid(f"{value} is not an {name} number.") from exc


def normalise_container(value: str) -> str:
    """ISO 6346 container number (owner code, category, serial, check digit)."""
    number = _compact(value)
    if not re.fullmatch(r"[A-Z]{3}[UJZR]\d{7}", number):
        raise _invalid(f"{value} is not an ISO 6346 container number.")
    return _stdnum(iso6346, value, number, "ISO 6346")


def normalise_imo(value: str) -> str:
    """IMO ship identification number (7 digits, the last a check digit)."""
    return _stdnum(imo, value, value, "IMO")


def normalise_air_waybill(value: str) -> str:
    """IATA air waybill: 3-digit airline prefix and 8-digit serial whose last digit is
    the first seven modulo 7."""
    number = _compact(value)
    if not re.fullmatch(r"\d{11}", number):
        raise _invalid(f"{value} is not an air waybill number (3 + 8 digits).")
    if int(number[3:10]) % 7 != int(number[10]):
        raise _invalid(f"{value}: wrong air waybill check digit.", Code.INVALID_CHECK_DIGIT)
    return number


_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def normalise_postal_item(value: str) -> str:
    """UPU S10 item identifier: 2 letters, 8 digits, a check digit, an ISO country."""
    number = _compact(value)
    match = re.fullmatch(r"([A-Z]{2})(\d{8})(\d)([A-Z]{2})", number)
    if not match:
        raise _invalid(f"{value} is not a UPU S10 item identifier (e.g. RR123456785CH).")
    serial, check, country = match.group(2), int(match.group(3)), match.group(4)
    remainder = 11 - sum(w * int(d) for w, d in zip(_S10_WEIGHTS, serial, strict=True)) % 11
    expected = {10: 0, 11: 5}.get(remainder, remainder)
    if check != expected:
        raise _invalid(f"{value}: wrong S10 check digit.", Code.INVALID_CHECK_DIGIT)
    if pycountry.countries.get(alpha_2=country) is None and country != "UN":
        raise _invalid(f"{value}: {country} is not an ISO 3166 country.")
    return number


def normalise_flight_number(value: str) -> str:
    """IATA flight designator: airline (2 characters) and 1-4 digits, optional suffix."""
    number = _compact(value)
    if not re.fullmatch(r"([A-Z]{2}|[A-Z]\d|\d[A-Z])\d{1,4}[A-Z]?", number):
        raise _invalid(f"{value} is not a flight number (e.g. KL0713).")
    return number


def normalise_aircraft_registration(value: str) -> str:
    """Nationality prefix and registration mark (ICAO Annex 7), e.g. N123AB, TI-BAX."""
    mark = re.sub(r"\s", "", value or "").upper()
    if not re.fullmatch(r"[A-Z0-9]{1,2}-?[A-Z0-9]{1,5}", mark) or not re.search(r"[A-Z]", mark):
        raise _invalid(f"{value} is not an aircraft registration mark.")
    return mark.replace("-", "")  # one canonical form: TI-BAX and TIBAX are one aircraft


def normalise_free_identifier(value: str) -> str:
    """Bill of lading, vehicle plate, document number: compacted, upper case."""
    number = _compact(value)
    if not re.fullmatch(r"[A-Z0-9]{2,35}", number):
        raise _invalid(f"{value} is not a valid reference (2-35 letters and digits).")
    return number


def normalise_phone(value: str, region: str | None = None) -> str:
    """E.164, parsed with the region of the hit when the number has no country code."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise _invalid(f"{value} is not a phone number.", Code.INVALID_PHONE) from exc
    if not phonenumbers.is_valid_number(number):
        raise _invalid(f"{value} is not a valid phone number.", Code.INVALID_PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# The longest address SMTP carries (RFC 5321); Django's validator lets longer ones pass,
# which the identifier index (255 characters) would then refuse with a database error.
MAX_EMAIL = 254


def normalise_email(value: str) -> str:
    email = (value or "").strip().lower()
    if len(email) > MAX_EMAIL:
        raise _invalid(f"An e-mail address has at most {MAX_EMAIL} characters.", Code.INVALID_EMAIL)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise _invalid(f"{value} is not an e-mail address.", Code.INVALID_EMAIL) from exc
    return email


def normalise_country(value: str) -> str:
    code = (value or "").strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise _invalid(f"{value} is not an ISO 3166-1 alpha-2 country code.", Code.INVALID_COUNTRY)
    return code
