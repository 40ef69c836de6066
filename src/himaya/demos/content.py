"""Demo step: harmful content in the demo case, spans highlighted; then a few messages given directly."""

from __future__ import annotations

from himaya.demos import DemoContext

TITLE = "Harmful content: threats, doxing, incitement and smears in Arabic dialects, Persian and English"

EXAMPLES = (
    "ya 3amila, ra7 nfda7ek 3al kel el mawa9e3",                   # Arabizi: threat to expose her
    "in safhe jasoose kharejie, hame bayad report konim!!",         # Finglish: smear + mass report
    "اینم شماره‌اش ۰۹۱۲۳۴۵۶۷۸۹ کد ملیش ۰۰۱۳۵۴۲۴۱۹",                  # Persian doxing: phone + national ID
    "k.i.l.l y o u r s e l f",                                      # obfuscated
    "Bonjour à toutes, la réunion est demain",                      # a language we do not cover
    "الصورة مفبركة. لا تشاركوها، بلّغوا عنها فقط.",                    # counter-speech: nothing flagged
)


def run(ctx: DemoContext) -> int:
    failures = 0
    failures += ctx.himaya("detect", "content", "--case", ctx.case, "--show", "10") != 0
    failures += ctx.himaya("findings", "list", "--case", ctx.case, "--detector", "content", "--limit", "8") != 0
    failures += ctx.himaya("classify", *EXAMPLES) != 0
    return failures
