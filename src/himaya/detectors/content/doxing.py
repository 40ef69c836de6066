"""Personal data in a message: phone numbers of the region, national ID numbers with valid checksums,
emails, coordinates, car plates and street addresses.

Only a cheap pre-check runs on every message (is there a run of digits, an @, an address word?);
the phone-number parser, which is slow, runs only when it can find something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from himaya.nlp.normalize import normalize

# Iran, Iraq, Jordan, Syria, Lebanon, Egypt, the Gulf (Saudi Arabia, UAE, Kuwait, Qatar, Bahrain, Oman), Yemen.
REGIONS: tuple[str, ...] = ("IR", "IQ", "JO", "SY", "LB", "EG", "SA", "AE", "KW", "QA", "BH", "OM", "YE")

_DIGITS_TABLE = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")} | {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
_EASTERN_DIGIT = re.compile("[\u0660-\u0669\u06f0-\u06f9]")  # the keys of _DIGITS_TABLE
_ENOUGH_DIGITS = re.compile(r"(?:\d[\s\-.()]?){7,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
_TEN_DIGITS = re.compile(r"(?<![\d])(\d{3})[-\s]?(\d{6})[-\s]?(\d)(?![\d])")
_COORDINATES = re.compile(r"(?<![\d.])(-?\d{1,2}\.\d{3,})\s*[,،]\s*(-?\d{1,3}\.\d{3,})(?![\d.])")
_MAPS_LINK = re.compile(r"(?:maps\.google\.[a-z.]+|goo\.gl/maps|maps\.app\.goo\.gl|google\.[a-z.]+/maps|waze\.com|"
                        r"openstreetmap\.org|neshan\.org/maps|balad\.ir)\S*", re.IGNORECASE)
# Iranian plates: "12 ب 345 67" or "12ب345 ایران 67"; Arabic-script letter between digit groups.
_IRAN_PLATE = re.compile(r"(?<!\d)\d{2}\s*[\u0600-\u06ff]\s*\d{3}\s*(?:[-–|]|ایران|ايران)?\s*\d{2}(?!\d)")
_PLATE_WORD = re.compile(r"(?:پلاک|پلاك|لوحه|لوحة|نمره|نمرة|license plate|plate number|plate)\s*(?:ماشین|ماشين|سيارتها|سیارتها|"
                         r"سيارة|سیاره|ماشینش|ماشينش|no\.?|number|:)?\s*[:#]?\s*([\w\u0600-\u06ff][\w\u0600-\u06ff\s-]{2,14}\d)",
                         re.IGNORECASE)
_ADDRESS = re.compile(
    r"(?:\b(?:street|st\.|avenue|ave\.|road|rd\.|building|apartment|apt\.?|floor|alley|block)\b\s*(?:no\.?\s*)?\d+"
    r"|\d+\s+[A-Z][a-z]+\s+(?:street|st|avenue|ave|road|rd|lane)\b"
    r"|(?<![\w\u0600-\u06ff])(?:شارع|حي|بناية|بنايه|عمارة|عماره|طابق|شقة|شقه|زقاق|محلة|محله|خیابان|خيابان|خیابون|کوچه|كوچه|پلاک|پلاك|طبقه|واحد|بلوار|میدان|ميدان)"
    r"\s+[^\s،,.\n]{1,25}(?:\s+(?:رقم|شماره|شمارة|no\.?)?\s*[\d٠-٩۰-۹]+)?)",
    re.IGNORECASE)
_LANDMARK = re.compile(r"(?:قرب|مقابل|خلف|جنب|بجانب|near|opposite|behind|next to|نزدیک|روبروی|روبه‌روی|پشت)\s+(?:the\s+)?"
                       r"(?:ال)?(?:مسجد|جامع|مدرسة|مدرسه|مستشفى|بیمارستان|بيمارستان|صيدلية|صیدلیه|mosque|school|hospital|"
                       r"pharmacy|church|كنيسة|کلیسا|دانشگاه|جامعة|university|مسجد)\S*(?:\s+\S+)?", re.IGNORECASE)


# One cheap scan for any word the place patterns start with; most messages have none. Latin and
# Arabic-script words are scanned apart (case-insensitive matching is slow, and Arabic letters have no
# case); the Latin words are grouped by first letter behind a look-ahead on it, so the engine skips to
# candidate positions and tries one group there.
_PLACE_HINT_LATIN = re.compile(r"(?=[abfglmnoprsw])(?:a(?:venue|ve\.|partment|pt|lley)|b(?:alad\.ir|uilding|lock|ehind)|"
                               r"floor|goo\.gl|lane|maps|n(?:eshan|ear|ext to)|o(?:penstreetmap|pposite)|plate|"
                               r"r(?:oad|d\.)|s(?:treet|t\.)|waze)", re.IGNORECASE)
_PLACE_HINT_ARABIC = re.compile(r"پلاک|پلاك|لوحه|لوحة|نمره|نمرة|شارع|حي|بناية|بنايه|عمارة|عماره|طابق|شقة|شقه|زقاق|محلة|محله|"
                                r"خیابان|خيابان|خیابون|کوچه|كوچه|طبقه|واحد|بلوار|میدان|ميدان|قرب|مقابل|خلف|جنب|بجانب|نزدیک|روبر|پشت")


@dataclass(frozen=True)
class PersonalData:
    kind: str     # phone, national_id, email, coordinates, map_link, car_plate, address, landmark
    start: int
    end: int
    detail: str   # e.g. the phone's region, "Iran national code (checksum valid)"


def iran_national_code_valid(code: str) -> bool:
    """Iran's 10-digit کد ملی: the last digit is a mod-11 check over the first nine, weights 10..2."""
    if len(code) != 10 or not code.isdigit() or len(set(code)) == 1:
        return False
    total = sum(int(code[i]) * (10 - i) for i in range(9)) % 11
    check = int(code[9])
    return check == total if total < 2 else check == 11 - total


@cache
def _phonenumbers() -> Any:
    import phonenumbers

    return phonenumbers


_PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d\s\-.()]{5,18}\d(?!\w)")


def _phones(text: str) -> list[PersonalData]:
    """Phone-like runs parsed for each region in turn (one parse per candidate and region is far cheaper
    than running phonenumbers' matcher over the whole text once per region)."""
    pn = _phonenumbers()
    found: list[PersonalData] = []
    for m in _PHONE_CANDIDATE.finditer(text):
        raw = m.group(0).strip()
        international = raw.startswith(("+", "00"))
        if not international and sum(ch.isdigit() for ch in raw) < 8:
            continue  # 7-digit local numbers exist (Lebanon), but so do 7-digit counts and codes
        owners: list[str] = []
        for region in (None,) if international else REGIONS:
            try:
                number = pn.parse("+" + raw[2:] if raw.startswith("00") else raw, region)
            except pn.NumberParseException:
                continue
            if pn.is_valid_number(number):
                owner = str(pn.region_code_for_number(number) or region)
                if owner not in owners:
                    owners.append(owner)  # a national-format number can be valid in several countries
        if owners:
            found.append(PersonalData("phone", m.start(), m.start() + len(raw), f"phone number ({', '.join(owners)})"))
    return found


def find_personal_data(text: str) -> list[PersonalData]:
    """Personal data in ``text``, spans in ``text``'s own indices, in order of appearance."""
    # Same length: indices stay valid. The search skips the slower translate for most messages.
    ascii_digits = text.translate(_DIGITS_TABLE) if _EASTERN_DIGIT.search(text) else text
    found: list[PersonalData] = []
    if _ENOUGH_DIGITS.search(ascii_digits):
        phones = _phones(ascii_digits)
        found.extend(phones)
        taken = [(p.start, p.end) for p in phones]
        for m in _TEN_DIGITS.finditer(ascii_digits):
            code = "".join(m.groups())
            if iran_national_code_valid(code) and not any(s <= m.start() < e for s, e in taken):
                found.append(PersonalData("national_id", m.start(), m.end(), "Iran national code (checksum valid)"))
        for m in _IRAN_PLATE.finditer(ascii_digits):
            if not any(s <= m.start() < e for s, e in taken):
                found.append(PersonalData("car_plate", m.start(), m.end(), "Iranian car plate"))
    for m in _COORDINATES.finditer(ascii_digits) if "." in ascii_digits else ():
        lat, lon = float(m.group(1)), float(m.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            found.append(PersonalData("coordinates", m.start(), m.end(), "latitude, longitude"))
    if "@" in text:
        found.extend(PersonalData("email", m.start(), m.end(), "email address") for m in _EMAIL.finditer(text))
    if _PLACE_HINT_LATIN.search(ascii_digits) or _PLACE_HINT_ARABIC.search(ascii_digits):
        for pattern, kind, detail in ((_MAPS_LINK, "map_link", "link to a map location"),
                                      (_PLATE_WORD, "car_plate", "car plate"), (_ADDRESS, "address", "street address"),
                                      (_LANDMARK, "landmark", "landmark near a home")):
            found.extend(PersonalData(kind, m.start(), m.end(), detail) for m in pattern.finditer(ascii_digits))
    found.sort(key=lambda p: (p.start, -p.end))
    kept: list[PersonalData] = []
    for item in found:  # drop a match inside a longer one of the same kind
        if not any(k.kind == item.kind and k.start <= item.start and item.end <= k.end for k in kept):
            kept.append(item)
    return kept


# Words that tie the data to a person rather than to an office or a shop.
_TARGET_CUES = re.compile(r"(?:ها|هم|كن|كم|چ|ك|ش|اش|ت)\b|\b(?:her|she|hers|you|your|this is)\b")


def doxing_score(text: str, data: list[PersonalData], cue_score: float) -> float:
    """How likely the message exposes a person: data alone is suspicious, data plus a cue is doxing."""
    if not data:
        return 0.0
    kinds = {d.kind for d in data}
    strong = kinds & {"phone", "national_id", "email", "coordinates", "map_link", "car_plate"}
    # A lone number is often harmless (a shop, a WhatsApp "joined" line): shown, not flagged, until
    # the message ties it to a person or exposes several kinds of data at once.
    base = 0.45 if strong else 0.3
    if len(kinds) > 1:
        base += 0.1
    tied = cue_score > 0 or bool(_TARGET_CUES.search(normalize(text)))
    return min(1.0, base + (0.4 if tied else 0.0) + 0.2 * cue_score)
