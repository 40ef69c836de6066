"""Facebook "Download your information" ZIP in the 2024+ JSON layout (formats README §2).

The export of defender Nadia Example: her profile name, two comments she wrote, two posts (one
with Photo B), who she follows, and a Messenger thread in which an attacker sends a blasphemy
accusation with a call to revoke her nationality, the resized copy of Photo A (which she reacts
to with 😡), and an unsent message. Meta's mojibake escaping throughout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from himaya.synth._util import alnum, digits, meta_json, write_tree, write_zip
from himaya.synth.scenario import Scenario
from himaya.synth.writers._meta import folder_name, message, thread

ACT = "your_facebook_activity"
USERNAME = "nadiaexample"


def _profile(sc: Scenario) -> dict[str, Any]:
    return {"profile_v2": {
        "name": {"full_name": sc.nadia.name, "first_name": "Nadia", "middle_name": "", "last_name": "Example"},
        "emails": {"emails": ["nadia.sample@example.org"], "previous_emails": [], "pending_emails": [],
                   "ad_account_emails": []},
        "registration_timestamp": sc.nadia.created,
        "username": USERNAME,
    }}


def _comments(sc: Scenario) -> dict[str, Any]:
    n = sc.nadia.name

    def comment(ts: int, text: str, title: str, link: str | None = None) -> dict[str, Any]:
        c: dict[str, Any] = {"timestamp": ts}
        if link:
            c["attachments"] = [{"data": [{"external_context": {"url": link}}]}]
        c["data"] = [{"comment": {"timestamp": ts, "comment": text, "author": n}}]
        c["title"] = title
        return c

    return {"comments_v2": [
        comment(sc.at(3 * 3600), sc.text("fake_ar") + "\n" + sc.text("document_en"),
                f"{n} commented on {sc.huda.name}'s post."),
        comment(sc.at(86400 + 600), sc.text("fake_fa"), f"{n} replied to {sc.shirin.name}'s comment.",
                "https://example.org/banafsha/fact-check-0614"),
    ]}


def _posts(sc: Scenario, media_uri: str) -> list[dict[str, Any]]:
    n = sc.nadia.name
    t1, t2 = sc.at(-3 * 3600), sc.at(86400 + 5 * 3600)
    return [
        {"timestamp": t1, "data": [{"post": sc.text("campaign_ar") + "\nThread ⬇️"}, {"update_timestamp": t1}],
         "title": f"{n} updated her status."},
        {"timestamp": t2,
         "attachments": [{"data": [{"media": {"uri": media_uri, "creation_timestamp": t2 - 2, "title": "Mobile uploads",
                                              "description": sc.text("thanks_fa")}}]}],
         "data": [{"post": sc.text("thanks_fa")}],
         "title": f"{n} added a new photo."},
    ]


def members(sc: Scenario) -> list[tuple[str, bytes]]:
    rng = sc.rng("facebook")
    attacker = sc.attackers[5]
    folder = folder_name(attacker.handle, "1022" + digits(rng, 13, "0123456789"))
    thread_path = f"inbox/{folder}"
    photo_uri = f"{ACT}/messages/{thread_path}/photos/73{digits(rng, 14)}.jpg"
    post_uri = f"{ACT}/posts/media/Mobileuploads_{alnum(rng, 4)}/62{digits(rng, 14)}.jpg"
    t = sc.at(6 * 3600)
    msgs = [
        message(attacker.name, t * 1000, unsent=True),
        message(attacker.name, (t + 70) * 1000 + 120, content=sc.text("blasphemy_ar") + "\n" + sc.text("photos_ar")),
        message(attacker.name, (t + 95) * 1000 + 300, photos=[(photo_uri, t + 95)],
                reactions=[{"reaction": "😡", "actor": sc.nadia.name}]),
        message(sc.nadia.name, (t + 140) * 1000, content=sc.text("reported_en")),
    ]
    following = {"following_v3": [{"name": p.name, "timestamp": p.created + 90 * 86400}
                                  for p in (sc.collective, sc.shirin, sc.huda)]}
    return [
        ("personal_information/profile_information/profile_information.json", meta_json(_profile(sc))),
        (f"{ACT}/comments_and_reactions/comments.json", meta_json(_comments(sc))),
        (f"{ACT}/posts/your_posts__check_ins__photos_and_videos_1.json", meta_json(_posts(sc, post_uri))),
        (post_uri, sc.photo_b),
        (f"{ACT}/messages/{thread_path}/message_1.json",
         meta_json(thread([attacker.name, sc.nadia.name], msgs, attacker.name, thread_path))),
        (photo_uri, sc.photo_a_small),
        ("connections/followers/who_you've_followed.json", meta_json(following)),
    ]


def write(out_dir: Path, scenario: Scenario, *, as_zip: bool = True) -> Path:
    """`facebook-<user>-<date>-<8 chars>.zip` (or the same tree as a folder)."""
    data = members(scenario)
    name = f"facebook-{USERNAME}-{scenario.export_date}-{alnum(scenario.rng('facebook-name'), 8)}"
    if as_zip:
        return write_zip(out_dir / f"{name}.zip", data, scenario.zip_time)
    return write_tree(out_dir / name, data)
