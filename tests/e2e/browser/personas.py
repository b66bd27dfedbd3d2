"""The demo data's people (``operations/management/commands/seed_demo.py``), as the
browser tests use them. Every demo user's password is ``jointops-demo``.

- coordinator: ``wco.coordinator``, plans and coordinates both demo operations;
- cr_officer, ng_officer: officers of national customs taking part in COLIBRI-SKY;
- ke_officer: Kenya's customs, invited to POSTAL-SHIELD-2027 and yet to answer;
- stranger: ``fr.coordinator``, may plan operations but takes part in none.
"""

from dataclasses import dataclass

PASSWORD = "jointops-demo"
DEMO_OPERATIONS = ("POSTAL-SHIELD-2027", "COLIBRI-SKY")


@dataclass(frozen=True)
class Persona:
    username: str
    name: str  # as the header shows it
    agency_acronym: str
    agency_name: str
    password: str = PASSWORD


COORDINATOR = Persona("wco.coordinator", "Amina Diallo", "WCO", "World Customs Organization")
CR_OFFICER = Persona(
    "cr.officer", "Daniela Quesada", "CR-CUSTOMS", "Dirección General de Aduanas de Costa Rica"
)
NG_OFFICER = Persona("ng.officer", "Chinedu Okafor", "NG-CUSTOMS", "Nigeria Customs Service")
KE_OFFICER = Persona(
    "ke.officer", "Wanjiru Kamau", "KE-KRA", "Kenya Revenue Authority, Customs and Border Control"
)
STRANGER = Persona(
    "fr.coordinator",
    "Claire Moreau",
    "FR-DGDDI",
    "Direction générale des douanes et droits indirects",
)
