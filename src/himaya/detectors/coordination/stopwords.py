"""Words too common to be a trend, in Arabic, Persian and English: never reported as keyword surges.

Only words of three letters or more are listed (shorter ones are skipped anyway). Entries are
written as people write them; they are normalised like the texts (ی/ي, ک/ك, ة/ه, hamza, ZWNJ) when loaded.
"""

from __future__ import annotations

from functools import cache

from himaya.detectors.coordination.textsig import words

_EN = """
    the and for are but not you all any can had her was one our out has him his how its may new now old see two
    who did get got let say she too use way yes yet also been from have here into just like more most much must
    only over some such than that them then there these they this those very were what when where which while
    will with would your yours about after again being could does doing each even every few many other same
    should still their theirs through under until upon well whom why because before between both down during
    further off once own above below ours myself yourself himself herself itself ourselves themselves don didn
    doesn isn wasn aren won wouldn couldn shouldn haven hasn ain amp via
"""

_AR = """
    في من على إلى الى عن مع هذا هذه ذلك تلك هؤلاء التي الذي الذين اللي هو هي هم هن أنا انا نحن أنت انت أنتم
    كان كانت كانوا يكون تكون كل بعض غير لكن ولكن أو ثم إن أن ان لا لم لن ما ماذا متى أين كيف هل قد لقد كما
    مثل بين عند عندما حتى إذا اذا بعد قبل فوق تحت منذ خلال حول ضد عبر لدى لها له لهم منه منها عليه عليها
    فيه فيها إليه اليه به بها وهو وهي ومن وفي وعلى وما ولا هناك هنا الآن الان أي أيضا ايضا جدا فقط يا والله
    إنه انه إنها انها وقد الذى
"""

_FA = """
    در به از که را با این آن است بود شد شده هم برای تا یا اما اگر پس نه هر چه چرا کجا همه خود ما من تو او
    شما آنها ایشان یک دیگر هیچ بر می‌شود باید نیست هست هستند بودند کرد کرده کند کنند می‌کند دارد دارند
    خواهد شود ولی چون روی پیش بعد قبل بین نیز اینکه آنکه همین همان چند خیلی فقط الان حالا ها های اون این‌ها
"""


@cache
def stop_words() -> frozenset[str]:
    """The list in the normalised form of `textsig.words`."""
    out: set[str] = set()
    for block in (_EN, _AR, _FA):
        for entry in block.split():
            out.update(words(entry))
    return frozenset(out)
