from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from himaya.detectors.coordination.textsig import jaccard, near_duplicate_groups, words

BASE = {
    "en": "the activist is a paid agent of foreign embassies and betrays our values",
    "ar": "الناشطة عميلة للسفارات الأجنبية وتخون قيمنا وتقاليدنا الأصيلة",
    "fa": "این فعال مزدور سفارت‌های خارجی است و به ارزش‌های ما خیانت می‌کند",
}
VARIANTS = {
    "en": ["😡😡 the activist is a paid agent of foreign embassies and betrays our values #expose #shame",
           "#shame #expose the activist is a PAID agent of foreign embassies and betrays our values!!",
           "the activist is a paid agent of embassies foreign and our values betrays"],       # word swaps
    "ar": ["الناشطـــة عميلة للسفارات الاجنبية وتخون قيمنا وتقاليدنا الاصيلة 🤮",             # tatweel, hamza
           "الناشطه عميله للسفارات الأجنبيه وتخون قيمنا وتقاليدنا الأصيلة",                  # ta marbuta
           "الناشِطة عَميلة للسفارات الأجنبية وتخون قيمنا وتقاليدنا الأصيلة #فضح"],           # diacritics
    "fa": ["این فعال مزدور سفارتهای خارجی است و به ارزشهای ما خیانت میکند",                  # no ZWNJ
           "اين فعال مزدور سفارت‌هاي خارجي است و به ارزش‌هاي ما خيانت مي‌كند",                # Arabic ya/kaf
           "این فعال مزدور سفارت‌های خارجی است و به ارزش‌های ما خیانت می‌کند 🔥 #افشا"],
}
UNRELATED = {
    "en": "lovely weather for the football match with friends this sunday afternoon",
    "ar": "الطقس جميل اليوم ذهبنا إلى البحر مع العائلة وأكلنا السمك",
    "fa": "امروز هوا خوب بود با خانواده به کوه رفتیم و ناهار خوردیم",
}


def test_variants_of_one_text_share_a_group_in_every_language() -> None:
    texts = []
    for lang in BASE:
        texts += [BASE[lang], *VARIANTS[lang], UNRELATED[lang]]
    groups = near_duplicate_groups([words(t) for t in texts]).tolist()
    for k in range(3):
        block = groups[k * 5:(k + 1) * 5]
        assert len(set(block[:4])) == 1, (k, block)   # the text and its three variants
        assert block[4] != block[0]                   # the unrelated text is elsewhere
    assert len({groups[0], groups[5], groups[10]}) == 3  # languages do not mix


def test_short_texts_are_not_compared() -> None:
    groups = near_duplicate_groups([words("shame on you"), words("shame on you"), words("😡")])
    assert groups.tolist() == [-1, -1, -1]


def test_arabic_letter_variants_fold_to_one_word_set() -> None:
    assert words(BASE["ar"]) == words(VARIANTS["ar"][1]) == words(VARIANTS["ar"][2])


@settings(max_examples=40, deadline=None)
@given(st.permutations(BASE["en"].split()), st.sampled_from(["", " 😡", " #expose", " 🔥🔥 #a #b"]))
def test_word_order_emoji_and_hashtags_do_not_change_the_word_set(order: list[str], extra: str) -> None:
    assert words(" ".join(order) + extra) == words(BASE["en"])


def test_distinct_random_texts_stay_apart() -> None:
    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(300)]
    texts = [frozenset(rng.sample(vocab, 10)) for _ in range(400)]
    groups = near_duplicate_groups(texts)
    linked = sum(1 for i in range(len(texts)) for j in range(i + 1, len(texts))
                 if groups[i] == groups[j] and jaccard(texts[i], texts[j]) < 0.3)
    assert linked == 0
    assert len(set(groups.tolist())) > 390
