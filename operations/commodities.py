"""The controlled list of seized commodities, grouped as UNODC groups drugs, and the
units quantities are given in, with a kilogram equivalent computed by pint.

>>> kilograms(Decimal("2500"), "g")
Decimal('2.500000')
>>> kilograms(Decimal("40"), "tablet") is None
True
"""

from decimal import Decimal
from functools import cache

import pint
from django.db import models


class CommodityGroup(models.TextChoices):
    COCAINE_TYPE = "cocaine_type", "Cocaine-type"
    OPIATES = "opiates", "Opiates"
    CANNABIS = "cannabis", "Cannabis"
    ATS = "ats", "Amphetamine-type stimulants"
    NPS = "nps", "New psychoactive substances"
    PRECURSORS = "precursors", "Precursors"
    TOBACCO = "tobacco", "Tobacco"
    OTHER = "other", "Other"


class Commodity(models.TextChoices):
    COCAINE = "cocaine", "Cocaine (hydrochloride)"
    COCAINE_BASE = "cocaine_base", "Cocaine base, crack"
    COCA_PASTE = "coca_paste", "Coca paste"
    COCA_LEAF = "coca_leaf", "Coca leaf"
    HEROIN = "heroin", "Heroin"
    OPIUM = "opium", "Opium"
    MORPHINE = "morphine", "Morphine"
    CANNABIS_HERB = "cannabis_herb", "Cannabis herb"
    CANNABIS_RESIN = "cannabis_resin", "Cannabis resin"
    CANNABIS_OIL = "cannabis_oil", "Cannabis oil"
    CANNABIS_PLANTS = "cannabis_plants", "Cannabis plants"
    METHAMPHETAMINE = "methamphetamine", "Methamphetamine"
    AMPHETAMINE = "amphetamine", "Amphetamine"
    MDMA = "mdma", "MDMA (ecstasy)"
    CAPTAGON = "captagon", "Captagon"
    FENTANYL = "fentanyl", "Fentanyl and analogues"
    NITAZENES = "nitazenes", "Nitazenes"
    SYNTHETIC_CANNABINOIDS = "synthetic_cannabinoids", "Synthetic cannabinoids"
    SYNTHETIC_CATHINONES = "synthetic_cathinones", "Synthetic cathinones"
    KETAMINE = "ketamine", "Ketamine"
    EPHEDRINE = "ephedrine", "Ephedrine"
    PSEUDOEPHEDRINE = "pseudoephedrine", "Pseudoephedrine"
    P2P = "p2p", "Phenylacetone (P-2-P, BMK)"
    PMK = "pmk", "PMK glycidate"
    ACETIC_ANHYDRIDE = "acetic_anhydride", "Acetic anhydride"
    POTASSIUM_PERMANGANATE = "potassium_permanganate", "Potassium permanganate"
    OTHER_PRECURSOR = "other_precursor", "Other precursor"
    CIGARETTES = "cigarettes", "Cigarettes"
    TOBACCO = "tobacco", "Tobacco"
    OTHER = "other", "Other"


GROUP_OF = {
    **dict.fromkeys(
        ["cocaine", "cocaine_base", "coca_paste", "coca_leaf"], CommodityGroup.COCAINE_TYPE
    ),
    **dict.fromkeys(["heroin", "opium", "morphine"], CommodityGroup.OPIATES),
    **dict.fromkeys(
        ["cannabis_herb", "cannabis_resin", "cannabis_oil", "cannabis_plants"],
        CommodityGroup.CANNABIS,
    ),
    **dict.fromkeys(["methamphetamine", "amphetamine", "mdma", "captagon"], CommodityGroup.ATS),
    **dict.fromkeys(
        ["fentanyl", "nitazenes", "synthetic_cannabinoids", "synthetic_cathinones", "ketamine"],
        CommodityGroup.NPS,
    ),
    **dict.fromkeys(
        [
            "ephedrine",
            "pseudoephedrine",
            "p2p",
            "pmk",
            "acetic_anhydride",
            "potassium_permanganate",
            "other_precursor",
        ],
        CommodityGroup.PRECURSORS,
    ),
    **dict.fromkeys(["cigarettes", "tobacco"], CommodityGroup.TOBACCO),
    "other": CommodityGroup.OTHER,
}
assert set(GROUP_OF) == set(Commodity.values)


class Unit(models.TextChoices):
    MILLIGRAM = "mg", "milligram"
    GRAM = "g", "gram"
    KILOGRAM = "kg", "kilogram"
    TONNE = "t", "tonne"
    POUND = "lb", "pound"
    OUNCE = "oz", "ounce"
    MILLILITRE = "ml", "millilitre"
    LITRE = "l", "litre"
    TABLET = "tablet", "tablets"
    PIECE = "piece", "pieces"
    STICK = "stick", "sticks (cigarettes)"
    PLANT = "plant", "plants"


# pint names of the mass units; other units have no kilogram equivalent.
_MASS_UNITS = {
    "mg": "milligram",
    "g": "gram",
    "kg": "kilogram",
    "t": "metric_ton",
    "lb": "pound",
    "oz": "ounce",
}
# Beyond these a quantity is refused as implausible (the largest seizures on record are
# tens of tonnes; counts of billions are a typing error).
MAX_KILOGRAMS = Decimal("500000")
MAX_COUNT = Decimal("1000000000")


@cache
def _registry() -> pint.UnitRegistry:
    return pint.UnitRegistry()


def kilograms(quantity: Decimal, unit: str) -> Decimal | None:
    """The mass in kilograms, or None when `unit` is not a unit of mass."""
    if unit not in _MASS_UNITS:
        return None
    registry = _registry()
    value = (registry.Quantity(quantity, _MASS_UNITS[unit])).to(registry.kilogram).magnitude
    return Decimal(str(value)).quantize(Decimal("0.000001"))
