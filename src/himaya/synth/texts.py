"""Every sentence the synthetic scenario uses, written for this package.

The hostile lines imitate the patterns helplines see in real campaigns against women human
rights defenders (threats, "foreign agent" smears, the "gender means homosexuality" narrative,
calls to mass-report, doxing, blasphemy accusations) so that detectors have something to find.
They are addressed to a fictional collective. `{phone}` and `{handle}` are filled in by the
scenario; the phone number is always in an unassigned `000` block.

Language tags are BCP 47: `ar-Latn` is Arabizi, `fa-Latn` is Finglish; `dialect` is a hint only.
"""

from __future__ import annotations

from typing import NamedTuple


class Line(NamedTuple):
    kind: str     # threat, foreign_agent, gender_narrative, mass_report, doxing, blasphemy, support, statement, ...
    lang: str
    text: str
    dialect: str = ""


HASHTAG_AR = "#افضحوا_بنفسج"      # "expose Banafsha"
HASHTAG_FA = "#ریپورت_کنید"       # "report it"
HASHTAG_EN = "#ReportBanafsha"
HASHTAG_OWN = "#بنفسج"

LINES: dict[str, Line] = {
    # -- hostile ---------------------------------------------------------------------------------
    "agent_ar": Line("foreign_agent", "ar", f"عميلات السفارات يتكلمن باسمنا؟ تمويلكن كله من الخارج 💵 {HASHTAG_AR}"),
    "threat_iq": Line("threat", "ar", "شكو عدچ ويه السفارة كل يوم؟ ترا نعرف بيتچ وين، ديري بالچ على نفسچ 😈",
                      "Iraqi"),
    "gender_lev": Line("gender_narrative", "ar", "شو يعني جندر؟ يعني شذوذ، وبدكن تخربوا ولادنا. ما رح نسكتلكن",
                       "Levantine"),
    "report_gulf": Line("mass_report", "ar", f"وش تبين بهالسوالف؟ بلّغوا عن الحساب يا شباب، نبيه يتسكّر الليلة 🚩 {HASHTAG_AR}",
                        "Gulf"),
    "agent_fa": Line("foreign_agent", "fa", f"این‌ها مزدورهای خارجی‌اند و از سفارت‌ها پول می‌گیرند. {HASHTAG_FA}"),
    "report_fa": Line("mass_report", "fa", f"همه با هم ریپورت کنید تا صفحه‌شان همین امشب بسته شود 🚩 {HASHTAG_FA}"),
    "gender_fa": Line("gender_narrative", "fa", "جنسیت یعنی همجنس‌گرایی؛ می‌خواهند بچه‌های ما را منحرف کنند."),
    "threat_fa": Line("threat", "fa", "می‌دانیم کجا زندگی می‌کنی.\nعکس‌هایت را همه‌جا پخش می‌کنیم."),
    "threat_arabizi": Line("threat", "ar-Latn", "ya 3amila, ra7 nfda7ek 3al kel el mawa9e3 🤬"),
    "agent_finglish": Line("foreign_agent", "fa-Latn", "in safhe jasoose kharejie, hame bayad report konim!!"),
    "report_en": Line("mass_report", "en", f"Everyone report @{{handle}} now. Foreign-funded agents. {HASHTAG_EN}"),
    "threat_en": Line("threat", "en", "We have your photos. Delete the page or everyone sees them."),
    "gender_en": Line("gender_narrative", "en", "\"Gender\" is just a code word for homosexuality. Wake up."),
    "dox_ar": Line("doxing", "ar", "هذا رقمها وعنوانها، اتصلوا بها كلكم: {phone}\nحي المثال، شارع رقم ٠، بناية ٠"),
    "blasphemy_ar": Line("blasphemy", "ar", "تسيئين للدين وتنشرين الفساد.\nيجب سحب جنسيتك ومحاكمتك."),
    "forged_ar": Line("forged_photo", "ar", "🚨 بالصور: ناشطات «بنفسج» في ضيافة السفارة!\n"),
    "photos_ar": Line("threat", "ar", "شوفي الصورة زين. الباقي ينزل باچر إذا ما سكّرتي الصفحة", "Iraqi"),
    # -- the collective, its defenders and allies ------------------------------------------------
    "campaign_ar": Line("campaign", "ar", f"حملتنا الجديدة: «الجندر» يعني المساواة في الحقوق والفرص، لا أكثر ولا أقل. اقرأوا الدليل 👇 {HASHTAG_OWN}"),
    "campaign_fa": Line("campaign", "fa", "راهنمای تازه‌ی ما درباره‌ی برابری جنسیتی منتشر شد. نقش‌های اجتماعی، نه گرایش جنسی."),
    "statement_ar": Line("statement", "ar", "بيان: منذ مساء اليوم تستهدفنا حملة منسّقة من حسابات أُنشئت قبل أيام.\nنوثّق كل شيء ولن نصمت."),
    "thanks_fa": Line("support", "fa", "از همه‌ی دوستانی که کنارمان ماندند سپاسگزاریم 💜\nدست از کار نمی‌کشیم."),
    "document_en": Line("support", "en", "We are documenting every account. Please don't engage: report, block, and send us links."),
    "lawyer_en": Line("support", "en", "Our lawyer is reviewing the threats 👩🏽‍⚖️"),
    "fake_ar": Line("fact_check", "ar", "الصورة مفبركة. لا تشاركوها، بلّغوا عنها فقط."),
    "fake_fa": Line("fact_check", "fa", "این عکس ساختگی است؛ لطفاً بازنشر نکنید. منبع اصلی:"),
    "solidarity_en": Line("support", "en", "Solidarity with the collective 💜 facts & dignity, not smears"),
    "report_week_en": Line("report", "en", "Weekly safety report 📊 a wave of brand-new accounts followed us within four minutes."),
    "report_week_fa": Line("report", "fa", "گزارش هفتگی: ده‌ها حساب تازه‌ساز در چند دقیقه ما را دنبال کردند. 📊"),
    "seen_ar": Line("support", "ar", "هل رأيتِ الحساب الجديد؟\nينشر صوراً مفبركة عنكِ منذ ساعة."),
    "heart_ar": Line("support", "ar", "نعم، وثّقنا كل شيء. شكراً لكِ 🌿"),
    "reported_en": Line("support", "en", "I have documented this conversation and reported your account."),
    "arabizi_note": Line("support", "en", "they keep writing \"3amila\" in Arabizi so filters miss it"),
}
