"""Codes for the places where controls happen.

- UN/LOCODE: five characters, an ISO 3166-1 country then three letters or digits 2-9
  (ports, airports, border crossings, postal exchanges), for example ``NLRTM``.
- IATA airport code: three letters, for example ``CDG``.
- ICAO location indicator: four letters, for example ``MROC`` (also airstrips).
"""

import re

import pycountry
from django.core.exceptions import ValidationError

from operations.error_codes import OperationErrorCode

_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
_IATA = re.compile(r"^[A-Z]{3}$")
_ICAO = re.compile(r"^[A-Z]{4}$")


def location_code_kind(code: str) -> str | None:
    """``"unlocode"``, ``"iata"``, ``"icao"``, or None when `code` is none of them.

    >>> location_code_kind("NLRTM"), location_code_kind("CDG"), location_code_kind("MROC")
    ('unlocode', 'iata', 'icao')
    >>> location_code_kind("XXRTM") is None
    True
    """
    if _LOCODE.match(code) and pycountry.countries.get(alpha_2=code[:2]) is not None:
        return "unlocode"
    if _IATA.match(code):
        return "iata"
    if _ICAO.match(code):
        return "icao"
    return None


def validate_location_code(code: str) -> None:
    if location_code_kind(code) is None:
        raise ValidationError(
            "%(code)s is not a UN/LOCODE, IATA or ICAO location code.",
            code=OperationErrorCode.INVALID_LOCATION_CODE,
            params={"code": code},
        )
