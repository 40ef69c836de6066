"""The labels Himaya gives a message, tied to what platforms act on (docs/taxonomy.md)."""

from __future__ import annotations

from typing import Final

LABELS: Final[tuple[str, ...]] = (
    "threat_of_violence",
    "sexual_violence_threat",
    "sexual_harassment",
    "misogyny",
    "anti_lgbtqi_hate",
    "doxing",
    "incitement",
    "defamation_narrative",
    "insult",
)

# A missed death or rape threat is the worst error this detector can make: these labels get
# thresholds chosen for recall (on validation data where it exists) and are flagged first.
THREAT_LABELS: Final[frozenset[str]] = frozenset({"threat_of_violence", "sexual_violence_threat"})

SUPPORTED_LANGUAGES: Final[tuple[str, ...]] = ("ar", "fa", "en")

# Severity orders findings of equal score: what most endangers the person comes first.
SEVERITY: Final[dict[str, int]] = {
    "threat_of_violence": 9, "sexual_violence_threat": 9, "doxing": 8, "incitement": 7, "sexual_harassment": 6,
    "anti_lgbtqi_hate": 5, "misogyny": 5, "defamation_narrative": 4, "insult": 2,
}

DESCRIPTIONS: Final[dict[str, str]] = {
    "threat_of_violence": "threat of physical harm or death to the person or her family",
    "sexual_violence_threat": "threat of rape or other sexual violence",
    "sexual_harassment": "sexual slurs, sexualised insults, unwanted sexual content",
    "misogyny": "hate or contempt for women, honour framing",
    "anti_lgbtqi_hate": "hate against lesbian, gay, bisexual, trans, queer or intersex people",
    "doxing": "exposure of phone numbers, addresses, ID numbers, workplace or family",
    "incitement": "calls to act against her: attack, arrest, mass-report, revoke nationality; takfir, blasphemy charges",
    "defamation_narrative": "known smear narratives: foreign agent, 'gender means homosexuality', destroying society",
    "insult": "generic abuse",
}


def check_label(label: str) -> str:
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}; labels are: {', '.join(LABELS)}")
    return label
