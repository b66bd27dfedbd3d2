from enum import StrEnum


class AgencyErrorCode(StrEnum):
    INVALID_COUNTRY = "INVALID_COUNTRY"
    NOT_FOUND = "NOT_FOUND"
    INVALID_TIME_ZONE = "INVALID_TIME_ZONE"
