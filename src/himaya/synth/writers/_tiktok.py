"""TikTok web comment objects (the `comments[]` items of `/api/comment/list/`), for the Zeeschuimer writer."""

from __future__ import annotations

import re
from typing import Any

from himaya.synth._util import tiktok_id
from himaya.synth.scenario import Person, Scenario

CDN = "https://p16-sign-va.tiktokcdn.com/obj/tos-maliva-p-0068"
VIDEO_TITLE = "دليلنا عن المساواة 💜 راهنمای برابری #بنفسج #حقوق_النساء"


def _user(p: Person) -> dict[str, Any]:
    return {"avatar_thumb": {"uri": f"tos-maliva-avt-0068/sample_{p.tt_id}",
                             "url_list": [f"{CDN}/avt_{p.tt_id}~tplv-tiktokx-cropcenter:100:100.jpeg"
                                          "?x-expires=1750003200&x-signature=SAMPLE%3D"], "url_prefix": None},
            "custom_verify": "", "enterprise_verify_reason": "", "nickname": p.name,
            "sec_uid": f"MS4wLjABAAAAsample{p.handle.replace('.', '').replace('_', '')}SecUid", "uid": p.tt_id,
            "unique_id": p.handle}


def _extras(text: str, people: dict[str, Person]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in re.finditer(r"[#@][\w.]+", text):
        if m.group(0)[0] == "#":
            out.append({"start": m.start(), "end": m.end(), "type": 1, "hashtag_name": m.group(0)[1:],
                        "hashtag_id": str(1650000000000000000 + sum(map(ord, m.group(0)))), "is_commerce": False})
        elif m.group(0)[1:] in people:
            p = people[m.group(0)[1:]]
            out.append({"start": m.start(), "end": m.end(), "type": 0, "user_id": p.tt_id,
                        "sec_uid": _user(p)["sec_uid"]})
    return out


def comment(sc: Scenario, cid: str, who: Person, ts: int, text: str, lang: str, *, reply_id: str = "0",
            reply_to_reply_id: str = "0", nested: list[dict[str, Any]] | None = None, digg: int = 0) -> dict[str, Any]:
    video = sc.ids["tiktok_video"]
    people = {p.handle: p for p in sc.people()}
    return {
        "author_pin": False, "aweme_id": video, "cid": cid, "collect_stat": 0, "comment_language": lang,
        "create_time": ts, "digg_count": digg, "image_list": None, "is_author_digged": False, "label_list": None,
        "no_show": False, "reply_comment": nested or None, "reply_comment_total": len(nested or []) + (1 if nested else 0),
        "reply_id": reply_id, "reply_to_reply_id": reply_to_reply_id,
        "share_info": {"acl": {"code": 0, "extra": "{}"}, "desc": f"{who.name}’s comment: {text}", "title": VIDEO_TITLE,
                       "url": f"https://m.tiktok.com/v/{video}.html?_d=sample&comment_author_id={who.tt_id}"
                              f"&preview_pb=0&share_comment_id={cid}&share_item_id={video}&sharer_language=ar"
                              "&source=h5_m&u_code=0"},
        "status": 1, "stick_position": 0, "text": text, "text_extra": _extras(text, people), "user": _user(who),
        "user_buried": False, "user_digged": 0,
    }


def comment_rows(sc: Scenario) -> tuple[list[tuple[dict[str, Any], int, str]], int]:
    """(comment, collected at (ms), API URL) in capture order, and the first capture time."""
    rng = sc.rng("tiktok")
    a, video = sc.attackers, sc.ids["tiktok_video"]
    t = sc.at(300)
    ids = [tiktok_id(t + k, rng) for k in (0, 40, 150, 900)]
    reply = comment(sc, ids[2], a[2], t + 150, f"@{sc.collective.handle} {sc.text('threat_arabizi')}", "en",
                    reply_id=ids[0])
    top = comment(sc, ids[0], a[1], t, sc.text("gender_lev"), "ar", nested=[reply], digg=23)
    persian = comment(sc, ids[1], a[4], t + 40, sc.text("report_fa"), "fa", digg=11)
    ally = comment(sc, ids[3], sc.huda, t + 900, f"@{a[2].handle} {sc.text('fake_ar')}", "ar", reply_id=ids[0],
                   reply_to_reply_id=ids[2])
    base = "https://www.tiktok.com/api/comment/list/"
    listing = f"{base}?aid=1988&aweme_id={video}&count=20&cursor=0&device_platform=web_pc"
    replies = f"{base}reply/?aid=1988&comment_id={ids[0]}&count=3&cursor=0&item_id={video}&device_platform=web_pc"
    ms = (t + 1200) * 1000 + 305
    return [(top, ms, listing), (persian, ms, listing), (reply, ms + 8230, replies), (ally, ms + 8230, replies)], ms
