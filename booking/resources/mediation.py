"""Vocabularies of the national schema of places of digital inclusion.

"Schéma des lieux de médiation numérique" (LaMednum/standard-mediation-num, v1.0.x):
a site's `services`, `fees` (`frais_a_charge`) and `access_modes` (`modalites_acces`)
hold `|`-separated values taken from these lists, exactly as the schema spells them
(they are data, not interface text, so they stay in French).
"""

from __future__ import annotations

SERVICES = (
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
)

FEES = ("Gratuit", "Gratuit sous condition", "Payant")

ACCESS_MODES = (
    "Se présenter",
    "Téléphoner",
    "Contacter par mail",
    "Prendre un RDV en ligne",
    "Ce lieu n'accueille pas de public",
    "Envoyer un mail avec une fiche de prescription",
)

SEPARATOR = "|"


def split_values(stored: str | None) -> list[str]:
    """The values of a `|`-separated field, in order, without blanks."""
    return [value.strip() for value in (stored or "").split(SEPARATOR) if value.strip()]


def join_values(values: list[str] | tuple[str, ...], vocabulary: tuple[str, ...]) -> str | None:
    """Values kept in the vocabulary's order, `|`-joined; None when there are none."""
    chosen = [value for value in vocabulary if value in set(values)]
    return SEPARATOR.join(chosen) or None
