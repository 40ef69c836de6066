"""Instagram "Download your information" ZIP in the 2024+ JSON layout (formats README §1).

The collective's own export: its profile, followers (with the four-minute wave), following in
the late-2025 style (title + `/_u/` href, no `value`), comments it wrote, its posts with media,
an inbox thread with a defender, and message requests from two attacking accounts, one of them
carrying Photo A. Every string is written with Meta's mojibake escaping.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from himaya.synth._util import alnum, digits, local, meta_json, write_tree, write_zip
from himaya.synth.scenario import Person, Scenario
from himaya.synth.writers._meta import folder_name, message, thread

ACT = "your_instagram_activity"
FOLLOW_DIR = "connections/followers_and_following"


def follower_item(handle: str, ts: int) -> dict[str, Any]:
    return {"title": "", "media_list_data": [],
            "string_list_data": [{"href": f"https://www.instagram.com/{handle}", "value": handle, "timestamp": ts}]}


def _profile(sc: Scenario) -> dict[str, Any]:
    def entry(value: str) -> dict[str, Any]:
        return {"href": "", "value": value, "timestamp": 0}

    bio = "تجمّع نسوي | جمع فمینیستی | feminist collective (synthetic sample data)"
    return {"profile_user": [{"title": "", "string_map_data": {
        "Username": entry(sc.collective.handle), "Name": entry(sc.collective.name), "Bio": entry(bio),
        "Email": entry("banafsha.sample@example.org"), "Private Account": entry("False")}}]}


def _comment(text: str, owner: str, ts: int) -> dict[str, Any]:
    return {"media_list_data": [{"uri": ""}], "string_map_data": {
        "Comment": {"value": text}, "Media Owner": {"value": owner}, "Time": {"timestamp": ts}}}


def _posts(sc: Scenario, rng: random.Random) -> tuple[list[dict[str, Any]], list[tuple[str, bytes]]]:
    t1, t2 = sc.at(-5 * 3600), sc.at(86400 + 9 * 3600)
    uris = [f"media/posts/{local(t, 0, '%Y%m')}/17{digits(rng, 15)}.jpg" for t in (t1, t2, t2)]
    single = {"media": [{"uri": uris[0], "creation_timestamp": t1,
                         "media_metadata": {"camera_metadata": {"has_camera_metadata": False}},
                         "title": sc.text("campaign_ar")}]}
    carousel = {"media": [{"uri": u, "creation_timestamp": t2, "title": ""} for u in uris[1:]],
                "title": sc.text("report_week_fa") + "\n" + sc.text("report_week_en"), "creation_timestamp": t2 + 3}
    files = [(uris[0], sc.photo_b), (uris[1], sc.photo_c), (uris[2], sc.photo_b)]
    return [single, carousel], files


def _inbox(sc: Scenario, rng: random.Random) -> tuple[str, dict[str, Any]]:
    n, owner = sc.nadia, sc.collective.name
    folder = "inbox/" + folder_name(n.handle, "178" + digits(rng, 14, "0123456789"))
    share = {"link": f"https://www.instagram.com/p/{alnum(rng, 11)}/", "share_text": sc.text("forged_ar").strip()
             + " #افضحوا_بنفسج", "original_content_owner": sc.channel.handle}
    msgs = [
        message(n.name, sc.at(2400) * 1000 + 112, share=share),
        message(n.name, sc.at(2460) * 1000 + 530, content=sc.text("seen_ar") + "\nhttps://example.org/banafsha/log-0614"),
        message(n.name, sc.at(2520) * 1000 + 8, content="Reacted 😡 to your message "),
        message(owner, sc.at(2640) * 1000 + 901, content=sc.text("heart_ar"),
                reactions=[{"reaction": "❤", "actor": n.name, "timestamp": sc.at(2700)}]),
    ]
    return folder, thread([n.name, owner], msgs, n.name, folder)


def _request(sc: Scenario, rng: random.Random, who: Person, lines: list[str], start: int,
             photo: bool) -> tuple[str, dict[str, Any], list[tuple[str, bytes]]]:
    owner = sc.collective.name
    folder = "message_requests/" + folder_name(who.handle, "178" + digits(rng, 14, "0123456789"))
    msgs = [message(who.name, sc.at(start + 50 * i) * 1000 + rng.randrange(1000), content=sc.text(k))
            for i, k in enumerate(lines)]
    files: list[tuple[str, bytes]] = []
    if photo:
        ts = sc.at(start + 50 * len(lines) + 7)
        uri = f"{ACT}/messages/{folder}/photos/61{digits(rng, 14)}.jpg"
        msgs.append(message(who.name, ts * 1000 + 250, photos=[(uri, ts)]))
        files.append((uri, sc.photo_a))
    return folder, thread([who.name, owner], msgs, who.name, folder), files


def members(sc: Scenario) -> list[tuple[str, bytes]]:
    rng = sc.rng("instagram")
    followers = sorted([*sc.organic, *sc.wave], key=lambda pt: pt[1], reverse=True)  # newest first, as exported
    following = {"relationships_following": [
        {"title": p.handle, "media_list_data": [],
         "string_list_data": [{"href": f"https://www.instagram.com/_u/{p.handle}", "timestamp": p.created + 86400 * 40}]}
        for p in (sc.shirin, sc.nadia, sc.huda)]}
    comments = [_comment(sc.text("thanks_fa"), sc.shirin.handle, sc.at(86400 + 3600)),
                _comment(sc.text("fake_ar"), sc.nadia.handle, sc.at(5400))]
    posts, post_files = _posts(sc, rng)
    inbox_folder, inbox = _inbox(sc, rng)
    a0, a1 = sc.attackers[0], sc.attackers[1]
    r0, req0, files0 = _request(sc, rng, a0, ["threat_arabizi", "threat_iq", "dox_ar"], 420, photo=True)
    r1, req1, _ = _request(sc, rng, a1, ["agent_fa", "report_fa"], 515, photo=False)
    out: list[tuple[str, bytes]] = [
        ("personal_information/personal_information/personal_information.json", meta_json(_profile(sc))),
        (f"{FOLLOW_DIR}/followers_1.json", meta_json([follower_item(p.handle, ts) for p, ts in followers])),
        (f"{FOLLOW_DIR}/following.json", meta_json(following)),
        (f"{ACT}/comments/post_comments_1.json", meta_json(comments)),
        (f"{ACT}/media/posts_1.json", meta_json(posts)),
        *post_files,
        (f"{ACT}/messages/{inbox_folder}/message_1.json", meta_json(inbox)),
        (f"{ACT}/messages/{r0}/message_1.json", meta_json(req0)),
        *files0,
        (f"{ACT}/messages/{r1}/message_1.json", meta_json(req1)),
    ]
    return out


def export_name(sc: Scenario) -> str:
    return f"instagram-{sc.collective.handle}-{sc.export_date}-{alnum(sc.rng('instagram-name'), 8)}"


def write(out_dir: Path, scenario: Scenario, *, as_zip: bool = True) -> Path:
    """The export as a ZIP named like Meta's (`instagram-<user>-<date>-<8 chars>.zip`), or a folder."""
    data = members(scenario)
    name = export_name(scenario)
    if as_zip:
        return write_zip(out_dir / f"{name}.zip", data, scenario.zip_time)
    return write_tree(out_dir / name, data)
