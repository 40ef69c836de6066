"""Words and smear templates for the campaign simulator, in Arabic, Persian and English.

Templates are the kind of defamation campaigns repeat against defenders ("foreign agent",
"betrays our values"); each slot lists interchangeable words, which is how operators paraphrase.
Names are fictional.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("ar", "fa", "en")

WORDS: dict[str, tuple[str, ...]] = {
    "en": tuple("""today morning coffee football match weather rain traffic city market prices bread school teacher
        children family holiday music concert movie series book library garden flowers summer winter
        travel airport train bus work office meeting project deadline phone battery internet news election
        minister hospital doctor nurse health exercise running friends dinner recipe kitchen chicken rice
        birthday wedding photo camera beach mountain river village weekend sunday monday tired happy
        proud grateful""".split()),
    "ar": tuple("""اليوم صباح قهوة مباراة كرة الطقس مطر زحمة المدينة السوق الأسعار خبز المدرسة المعلم الأطفال العائلة
        عطلة موسيقى حفلة فيلم مسلسل كتاب مكتبة حديقة ورد الصيف الشتاء سفر مطار قطار باص العمل مكتب
        اجتماع مشروع موعد هاتف بطارية الإنترنت أخبار انتخابات الوزير مستشفى طبيب ممرضة صحة رياضة الجري
        أصدقاء عشاء وصفة مطبخ دجاج رز عيد ميلاد عرس صورة كاميرا بحر جبل نهر قرية الجمعة السبت تعبان
        سعيد فخور ممتن""".split()),
    "fa": tuple("""امروز صبح قهوه فوتبال مسابقه هوا باران ترافیک شهر بازار قیمت نان مدرسه معلم بچه‌ها خانواده
        تعطیلات موسیقی کنسرت فیلم سریال کتاب کتابخانه باغ گل تابستان زمستان سفر فرودگاه قطار اتوبوس کار
        دفتر جلسه پروژه مهلت گوشی باتری اینترنت خبر انتخابات وزیر بیمارستان دکتر پرستار سلامتی ورزش
        دویدن دوستان شام دستور آشپزخانه مرغ برنج تولد عروسی عکس دوربین ساحل کوه رودخانه روستا جمعه
        شنبه خسته خوشحال مفتخر سپاسگزار""".split()),
}

HASHTAGS: dict[str, tuple[str, ...]] = {
    "en": ("news", "football", "music", "weekend", "travel", "food", "health", "election", "weather", "movies",
           "books", "photography"),
    "ar": ("أخبار", "كرة_القدم", "موسيقى", "عطلة", "سفر", "طبخ", "صحة", "انتخابات", "طقس", "أفلام", "كتب", "تصوير"),
    "fa": ("خبر", "فوتبال", "موسیقی", "تعطیلات", "سفر", "آشپزی", "سلامت", "انتخابات", "هوا", "سینما", "کتاب",
           "عکاسی"),
}

TARGETS: tuple[str, ...] = ("Banafsha", "Rania", "Leyla", "Samira", "Nasrin")

# {0} is the target's name; each other slot picks one of its options.
TEMPLATES: dict[str, tuple[tuple[str | tuple[str, ...], ...], ...]] = {
    "en": (
        ("{0}", ("is", "remains"), ("a", "just a"), ("paid", "bought", "hired"), ("agent", "puppet", "tool"), "of",
         ("foreign", "western"), ("embassies", "governments", "donors"), "and", ("betrays", "sells", "insults"), "our",
         ("values", "traditions", "families")),
        (("everyone", "people", "all"), ("must", "should"), ("know", "see", "learn"), "who", "funds", "{0}",
         ("and", "plus"), ("her", "their"), ("shameful", "disgusting", "corrupt"), ("organisation", "network", "group")),
        (("stop", "silence", "ban"), "{0}", ("before", "until"), ("she", "they"), ("destroys", "ruins", "poisons"),
         ("our", "this"), ("society", "country", "youth"), ("with", "through"), ("lies", "propaganda", "filth")),
    ),
    "ar": (
        ("{0}", ("عميلة", "أداة", "دمية"), ("للسفارات", "للحكومات", "للممولين"), ("الأجنبية", "الغربية"),
         ("وتخون", "وتبيع", "وتهين"), ("قيمنا", "تقاليدنا", "عائلاتنا"), ("الأصيلة", "العريقة")),
        (("يجب", "لازم"), ("أن", "ان"), ("يعرف", "يعلم", "يدرك"), ("الجميع", "الناس", "الكل"), ("من", "مين"),
         ("يمول", "يدفع", "يدعم"), "{0}", ("ومنظمتها", "وشبكتها", "وجماعتها"), ("الفاسدة", "المشبوهة", "المخزية")),
        (("أوقفوا", "اسكتوا", "احظروا"), "{0}", ("قبل", "حتى"), ("أن", "ان"), ("تدمر", "تخرب", "تسمم"),
         ("مجتمعنا", "بلدنا", "شبابنا"), ("بأكاذيبها", "بدعايتها", "بقذارتها")),
    ),
    "fa": (
        ("{0}", ("مزدور", "عامل", "عروسک"), ("سفارت‌های", "دولت‌های", "حامیان"), ("خارجی", "غربی"),
         ("است", "شده"), ("و", "که"), ("به", "علیه"), ("ارزش‌های", "سنت‌های", "خانواده‌های"), ("ما", "ملت"),
         ("خیانت", "توهین", "پشت"), "می‌کند"),
        (("همه", "مردم", "همگان"), ("باید", "لازم"), ("بدانند", "ببینند", "بفهمند"), ("چه", "کدام"), ("کسی", "نهادی"),
         ("پول", "بودجه", "هزینه"), "{0}", ("و", "همراه"), ("سازمان", "شبکه", "گروه"), ("فاسدش", "مشکوکش", "ننگینش"),
         ("را", "رو"), ("می‌دهد", "می‌پردازد")),
        (("جلوی", "مانع"), "{0}", ("را", "رو"), ("بگیرید", "بگیرند"), ("قبل", "پیش"), ("از", "ازینکه"),
         ("جامعه", "کشور", "جوانان"), ("را", "رو"), ("با", "بوسیله"), ("دروغ", "تبلیغات", "کثافت"),
         ("نابود", "خراب", "مسموم"), "کند"),
    ),
}

CAMPAIGN_TAGS: dict[str, tuple[str, ...]] = {
    "en": ("expose{0}", "{0}Traitor", "ForeignAgent{0}", "StopThe{0}Network", "ProtectOurValues"),
    "ar": ("فضح_{0}", "{0}_خائنة", "عميلة_السفارات", "أوقفوا_{0}", "احموا_قيمنا"),
    "fa": ("افشای_{0}", "{0}_خائن", "مزدور_سفارت", "توقف_{0}", "ارزش‌های_ما"),
}

CRITIC_PHRASES: dict[str, tuple[str, ...]] = {
    "en": tuple("""I honestly disagree with {0} about this but the attacks are too much her statement last week
        was confusing and people deserve answers still no excuse for insults debate ideas not persons""".split()),
    "ar": tuple("""بصراحة أختلف مع {0} في هذا لكن الهجوم مبالغ فيه تصريحها الأسبوع الماضي كان غامض والناس تستحق
        إجابات ومع ذلك لا عذر للشتائم ناقشوا الأفكار وليس الأشخاص""".split()),
    "fa": tuple("""راستش با {0} در این مورد مخالفم ولی این حملات زیاده روی است حرفش هفته پیش مبهم بود و مردم حق
        دارند جواب بگیرند اما توهین توجیه ندارد درباره ایده ها بحث کنید نه آدم ها""".split()),
}

DENOUNCE: dict[str, str] = {
    "en": "Look at the disgusting messages being spread: \"{1}\" shame on them, solidarity with {0}",
    "ar": "انظروا إلى الرسائل المقززة المنتشرة: \"{1}\" عار عليهم، تضامن مع {0}",
    "fa": "ببینید چه پیام‌های زشتی پخش می‌شود: \"{1}\" شرم بر آنها، همبستگی با {0}",
}

EMOJI: tuple[str, ...] = ("😡", "🔥", "‼️", "👇", "🤮", "⚠️", "😤", "")
