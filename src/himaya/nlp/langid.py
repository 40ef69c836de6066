"""Language and script of one message: ar, fa, en, Arabizi (ar-Latn), Finglish (fa-Latn), or not ours.

lingua decides between languages of one script. It is built in low-accuracy mode (trigram models
only) for the few languages we must tell apart, which loads in well under a second and classifies
tens of thousands of messages a second; the full models took 5 s to load for a gain that matters
only for one- or two-word messages. Confounders (Urdu next to Persian, French and Turkish next to
English) are there so that a message in a language we do not support is called "unsupported"
instead of being forced into one we do. Arabizi and Finglish are recognised by their vocabulary and
by digits used as letters, which lingua has no model for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from himaya.nlp.script import profile

UNSUPPORTED = "unsupported"
UNDETERMINED = "und"
_SAMPLE_CHARS = 2000  # the start of a long message decides its language; 100,000 characters add nothing
_MIN_LETTERS = 2

# Sorani Kurdish letters: Arabic script, but not a language we cover.
_SORANI = re.compile("[ێۆڵڕڤ]")
_LATIN_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_DIGIT_AS_LETTER = re.compile(r"[a-z]+[2356789]|[2356789][a-z]+")
_ARABIZI_WORDS = frozenset("""
ya yalla yallah wallah wallahi walla inti enti inta enta ana ahla habibi 7abibi habibti 7abibti shu shou chou
mesh mish msh mech bas la2 kel kol 3al 3ala ma3 leh lesh lech ليش kifak kifik keefak ahlan sho shi ba3d
hayda hayde hadi hadik hada dyal dial bzaf bzzaf wach wesh chno 3lach kima mazal raki rak rah ra7 ha
nta nti ntia ntiya howa hiya huwa hia 3amila 3ameela kalb kalba sharmouta charmouta sharmota 9a7ba qahba
7mara hmara khara zebi zeby zab tiz teez 5ara 7aram kosomak kuss kos zamel zamil manyak manyouk metnaka
nfda7ek nfada7ek fada7 fde7a ba2a 2alb 3am 3aref 3arfa mnih mni7 tayyeb tayeb akhi o5ti ukhti wlad wled
ibn bint beit bet 3eib 3ayb 3eb ya3ni y3ni ma3leesh ma3lesh khalas 5alas jama3a sa7 sah
""".split())
_FINGLISH_WORDS = frozenset("""
in on man to ma shoma oon una ina hame hamash bayad nabayad konim kon konid mikonim mikone mikonam mikham
mikhay mikhad mikhan khodet khodam khoda chera chi chie chiye kojast koja ast nist hast hastan hastid mishe
nemishe dige inja unja ye yek vali amma ba baraye bara az ke ro ra shode shod kardan kard kardi karde
mikonan bache bacheha khanoom khanum agha zan zana dokhtar pesar khoone khune safhe jasoos jasoose
kharejie khareji kos koskesh kesafat kesafat jende jendeh madar madarjende pedar pedarsag haroomzade
harumzade bisharaf avazi ahmagh khafe mikoshim mikoshimet bokoshid koshtan edam mordeshoor gom sho
report ripoort doroste dorost midoonim midunim midoonam midunam hala aslan kheili kheyli khob merci mersi
""".split())
_ENGLISH_WORDS = frozenset("""
i you he she it we they me him her us them my your his our their this that these those a an the and or but if
is are was were be been am do does did have has had will would can could should shall may might must not no
of in on at to for from with by about as into over after before up down out off so than too very just now
what who whom which when where why how all any some every each here there then yes ok okay please thank
thanks don't can't won't i'm you're it's bitch slut whore kill die fuck fucking shut stupid ugly dead rape
gonna wanna get got go going know see look hi hello keep write writing say said people
""".split())


# Words that cannot be anything but Arabizi or Finglish: enough, alone, inside a French or German sentence.
_DISTINCTIVE = frozenset("""
zebi zeby zab sharmouta charmouta 9a7ba qa7ba kahba 9ahba wallah wallahi walah yalla yallah inshallah habibi
7abibi habibti 7abibti bzaf bzzaf chno 3lach hchouma khoya zamel manyak kosomak ya3ni y3ni khalas 5alas
khoda mikham koskesh jende jendeh madarjende kheili kheyli midoonam midunam chera nemidoonam bisharaf
""".split())


# English words no confounder language (French, German, Spanish, Turkish, Indonesian, Italian, Portuguese,
# Dutch) writes: two of them, with enough English function words around, settle the language.
_ENGLISH_ONLY = frozenset("""
the and you your that this with have what they will would should could just about their there been don't
doesn't i'm it's you're can't won't isn't where when which who why because people think know
""".split())
_LINGUA_CHARS = 600
# lingua judges Arabic-script text on its Arabic letters: ASCII other than whitespace becomes a space.
_ASCII_TO_SPACE = {code: " " for code in range(128) if not chr(code).isspace()}


class _TokenKinds(dict[str, tuple[int, int, int, int, int, int]]):
    """What each lower-cased Latin token counts towards, worked out once per process (words repeat):
    (English word, Arabizi word, digit used as a letter, Finglish word, ambiguous Finglish word,
    unambiguous chat word)."""

    def __missing__(self, token: str) -> tuple[int, int, int, int, int, int]:
        kinds = (int(token in _ENGLISH_WORDS), int(token in _ARABIZI_WORDS), int(bool(_DIGIT_AS_LETTER.search(token))),
                 int(token in _FINGLISH_WORDS and token not in ("in", "on", "to", "man", "ma", "ye", "az")),
                 int(token in ("in", "to", "man", "ma", "ye", "az")),
                 int(token in _DISTINCTIVE or bool(_DIGIT_AS_LETTER.fullmatch(token))))
        if len(self) > 200_000:
            self.clear()
        self[token] = kinds
        return kinds


_TOKEN_KINDS = _TokenKinds()


def _counts(tokens: list[str]) -> tuple[int, ...]:
    """Per kind of _TokenKinds, how many of ``tokens`` are of it."""
    kinds = _TOKEN_KINDS
    return tuple(map(sum, zip(*[kinds[t] for t in tokens], strict=True))) if tokens else (0,) * 6


@dataclass(frozen=True)
class LanguageGuess:
    language: str            # ar, fa, en, ar-Latn, fa-Latn, "unsupported" or "und" (no letters to judge)
    script: str              # arab, latn, other, none; the dominant one
    scripts: list[str] = field(default_factory=list)
    mixed: bool = False
    confidence: float = 0.0
    detail: str = ""         # why, in words: "lingua: URDU", "Arabizi vocabulary"

    @property
    def supported(self) -> bool:
        return self.language not in (UNSUPPORTED, UNDETERMINED)

    @property
    def base(self) -> str:
        """The language without its script: 'ar' for Arabizi."""
        return self.language.split("-")[0]


# Links, handles and the retweet mark are Latin in every language: they must not outvote a Persian sentence.
_NOT_LANGUAGE = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|@\w+|\bRT\b|#")


@cache
def _arabic_script_detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return (LanguageDetectorBuilder.from_languages(Language.ARABIC, Language.PERSIAN, Language.URDU)
            .with_low_accuracy_mode().with_preloaded_language_models().build())


@cache
def _latin_script_detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    langs = (Language.ENGLISH, Language.FRENCH, Language.GERMAN, Language.SPANISH, Language.TURKISH,
             Language.INDONESIAN, Language.ITALIAN, Language.PORTUGUESE, Language.DUTCH)
    return (LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode()
            .with_preloaded_language_models().build())


def warm_up() -> None:
    """Load the detectors now (the first message otherwise pays for it)."""
    _arabic_script_detector()
    _latin_script_detector()


_LINGUA_CODES = {"ARABIC": "ar", "PERSIAN": "fa", "ENGLISH": "en"}


def _lingua(detector: Any, sample: str) -> tuple[str, float, str]:
    values = detector.compute_language_confidence_values(sample)
    if not values:
        return UNSUPPORTED, 0.0, "lingua: no language"
    best = values[0]
    name = best.language.name
    return _LINGUA_CODES.get(name, UNSUPPORTED), float(best.value), f"lingua: {name}"


def _chat_alphabet(tokens: list[str], counts: tuple[int, ...], *, code_switched: bool = False) -> tuple[str, float, str] | None:
    """Arabizi or Finglish by vocabulary, digits used as letters tipping the balance to Arabizi.

    ``tokens``: the lower-cased Latin tokens of the sample; ``counts``: their ``_counts``.
    ``code_switched``: the sentence is otherwise in a language we do not cover (Maghrebi Arabic mixes
    French, Iranians abroad mix English or German): one unambiguous chat word is then enough."""
    if not tokens:
        return None
    _, arabizi_words, digit_letters, finglish_words, ambiguous_finglish, distinctive = counts
    arabizi = arabizi_words + 1.5 * digit_letters
    finglish: float = finglish_words
    finglish += 0.5 * ambiguous_finglish
    best, score = ("ar-Latn", arabizi) if arabizi >= finglish else ("fa-Latn", finglish)
    share = score / len(tokens)
    name = "Arabizi" if best == "ar-Latn" else "Finglish"
    if (score >= 2 and share >= 0.25) or (score >= 1 and len(tokens) <= 3 and share >= 0.34):
        return best, min(1.0, share * 2), f"{name} vocabulary"
    if code_switched and distinctive >= 1:
        return best, min(1.0, share * 2), f"{name} words in a sentence of another language (code-switching)"
    return None


# Persian keyboards type ی and ک, Arabic ones ي, ك, ة and ى: a text that uses only one set says which
# language it was typed in more reliably than trigrams on a short message (Iraqi چ and گ included).
_PERSIAN_KEYS = re.compile("[\u06cc\u06a9]")
_ARABIC_KEYS = re.compile("[\u064a\u0643\u0629\u0649]")
_URDU_LETTERS = re.compile("[\u06d2\u06ba\u0679\u0688\u0691\u06be\u06c1]")


def _keyboard(sample: str) -> str | None:
    if _URDU_LETTERS.search(sample):
        return None
    persian = len(_PERSIAN_KEYS.findall(sample))
    arabic = len(_ARABIC_KEYS.findall(sample))
    if persian >= 2 and arabic == 0:
        return "fa"
    if arabic >= 2 and persian == 0:
        return "ar"
    return None


def _without_links(sample: str) -> str:
    # Every alternative of _NOT_LANGUAGE needs one of these substrings: most messages skip the regex.
    if "@" in sample or "#" in sample or "http" in sample or "www." in sample or "RT" in sample:
        return _NOT_LANGUAGE.sub(" ", sample)
    return sample


def identify(text: str) -> LanguageGuess:
    """The language of ``text``; "unsupported" for a language we do not cover, "und" for no letters."""
    guess = _identify(_without_links(text[:_SAMPLE_CHARS]))
    if guess.language == UNSUPPORTED and guess.script == "latn":
        # "k.i.l.l y o u" defeats trigram models; judge the de-obfuscated words instead.
        from himaya.nlp.normalize import normalize

        joined = normalize(text[:_SAMPLE_CHARS])
        if len(joined.split()) < len(text[:_SAMPLE_CHARS].split()):
            retry = _identify(joined)
            if retry.supported:
                return retry
    return guess


def _identify(sample: str) -> LanguageGuess:
    prof = profile(sample)
    scripts, mixed, script = prof.scripts, prof.mixed, prof.dominant
    if prof.letters < _MIN_LETTERS:
        return LanguageGuess(UNDETERMINED, script, scripts, mixed, 0.0, "no letters to judge")
    if script == "arab":
        if _SORANI.search(sample):
            return LanguageGuess(UNSUPPORTED, script, scripts, mixed, 0.9, "Sorani Kurdish letters")
        keyboard = _keyboard(sample)
        if keyboard is not None:
            return LanguageGuess(keyboard, script, scripts, mixed, 0.95, "keyboard letters")
        arabic_only = sample[:_LINGUA_CHARS].translate(_ASCII_TO_SPACE)
        lang, conf, why = _lingua(_arabic_script_detector(), arabic_only)
        return LanguageGuess(lang, script, scripts, mixed, conf, why)
    if script == "latn":
        tokens = _LATIN_TOKEN.findall(sample.lower())
        counts = _counts(tokens)
        english = counts[0] / max(1, len(tokens))
        chat = _chat_alphabet(tokens, counts)
        if chat is not None and english < 0.4:
            return LanguageGuess(chat[0], script, scripts, mixed, chat[1], chat[2])
        if chat is None and len(_ENGLISH_ONLY.intersection(tokens)) >= 2 and english >= 0.3:
            # Plainly English: skip lingua, which costs most of the time on long Latin-script messages.
            return LanguageGuess("en", script, scripts, mixed, english, "English function words")
        lang, conf, why = _lingua(_latin_script_detector(), sample[:_LINGUA_CHARS])
        if lang == UNSUPPORTED:
            switched = _chat_alphabet(tokens, counts, code_switched=True)
            if switched is not None:
                return LanguageGuess(switched[0], script, scripts, mixed, switched[1], switched[2])
        if lang != "en" and ((english >= 0.5 and len(tokens) <= 4) or (english >= 0.3 and conf < 0.7)):
            # lingua guesses wildly on a few words; a short run of English words is English
            return LanguageGuess("en", script, scripts, mixed, english, "English function words")
        return LanguageGuess(lang, script, scripts, mixed, conf, why)
    return LanguageGuess(UNSUPPORTED, script, scripts, mixed, 0.9, "script we do not cover")
