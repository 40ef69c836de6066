"""X account archive ZIP (`twitter-<date>-<hash>.zip`, the post-2022 layout; formats README §5).

The collective's archive: `data/manifest.js`, `account.js`, `tweets.js` (its campaign post, its
statement about the attack, a Persian fact-check reply with a t.co link, a retweet with `&amp;`,
and the weekly report with a photo in `data/tweets_media/`), `follower.js` (the wave accounts
first: an archive gives IDs only), `following.js`, and `direct-messages.js` with a received
Iraqi-Arabic threat. Every number is a string; `"key" : value` spacing; raw UTF-8.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from himaya.synth._util import alnum, snowflake, utc_iso, write_zip, x_date, x_js
from himaya.synth.scenario import Person, Scenario
from himaya.synth.writers._x import legacy_entities, reply_start

SOURCE = '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>'
HTML = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Your archive</title></head><body>"
        "<p>Stand-in for X's offline archive viewer, written by Himaya's synthetic data generator "
        "(synthetic sample data).</p></body></html>")


def _tweet(sc: Scenario, tid: str, ts: int, text: str, lang: str, people: dict[str, Person], *,
           links: dict[str, str] | None = None, reply_to: tuple[str, Person] | None = None,
           media: dict[str, Any] | None = None, counts: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    full = html.escape(text, quote=False)
    ents = legacy_entities(full, people, links or {}, as_str=True)
    if media:
        ents["media"] = [media]
    shown = media["indices"][0] if media else str(len(full))
    t: dict[str, Any] = {
        "edit_info": {"initial": {"editTweetIds": [tid], "editableUntil": utc_iso(ts + 3600),
                                  "editsRemaining": "5", "isEditEligible": True}},
        "retweeted": False, "source": SOURCE, "entities": ents,
        "display_text_range": [str(reply_start(full) if reply_to else 0), str(int(shown) - (1 if media else 0))],
        "favorite_count": str(counts[0]),
    }
    if reply_to:
        t["in_reply_to_status_id_str"] = reply_to[0]
    t["id_str"] = tid
    if reply_to:
        t["in_reply_to_user_id"] = reply_to[1].x_id
    t.update({"truncated": False, "retweet_count": str(counts[1]), "id": tid})
    if reply_to:
        t["in_reply_to_status_id"] = reply_to[0]
    t.update({"possibly_sensitive": False, "created_at": x_date(ts), "favorited": False, "full_text": full, "lang": lang})
    if reply_to:
        t["in_reply_to_screen_name"] = reply_to[1].x_handle
        t["in_reply_to_user_id_str"] = reply_to[1].x_id
    if media:
        t["extended_entities"] = {"media": [media]}
    return {"tweet": t}


def _media(sc: Scenario, tid: str, text: str, tco: str, key: str, media_id: str) -> dict[str, Any]:
    start = text.index(tco)
    size = {"w": "128", "h": "96", "resize": "fit"}
    return {"expanded_url": f"https://x.com/{sc.collective.x_handle}/status/{tid}/photo/1",
            "indices": [str(start), str(start + len(tco))], "url": tco,
            "media_url": f"http://pbs.twimg.com/media/{key}.jpg", "id_str": media_id, "id": media_id,
            "media_url_https": f"https://pbs.twimg.com/media/{key}.jpg",
            "sizes": {"thumb": {"w": "150", "h": "150", "resize": "crop"}, "small": size, "medium": size, "large": size},
            "type": "photo", "display_url": f"pic.x.com/{tco.rsplit('/', 1)[1]}"}


def _tweets(sc: Scenario) -> tuple[list[dict[str, Any]], tuple[str, bytes]]:
    rng = sc.rng("x_archive")
    huda, chan = sc.huda, sc.channel
    people = {p.x_handle: p for p in sc.people()}
    fact_link = f"https://t.co/{alnum(rng, 10)}"
    report_ts = sc.at(86400 + 9 * 3600)
    report_id = snowflake(report_ts, rng)
    media_tco, media_key = f"https://t.co/{alnum(rng, 10)}", "G" + alnum(rng, 14)
    report_text = f"{sc.text('report_week_en')} {media_tco}"
    out = [
        _tweet(sc, report_id, report_ts, report_text, "en", people, counts=(88, 31),
               media=_media(sc, report_id, report_text, media_tco, media_key, snowflake(report_ts - 5, rng))),
        _tweet(sc, snowflake(sc.at(2 * 3600 + 1500), rng), sc.at(2 * 3600 + 1500),
               f"RT @{huda.x_handle}: {sc.text('solidarity_en')}", "en", people),
        _tweet(sc, snowflake(sc.at(3600), rng), sc.at(3600), f"@{chan.x_handle} {sc.text('fake_fa')} {fact_link}", "fa",
               people, links={fact_link: "https://example.org/banafsha/fact-check-0614"},
               reply_to=(sc.ids["channel_tweet"], chan), counts=(3, 0)),
        _tweet(sc, sc.ids["statement_tweet"], sc.at(2 * 3600), sc.text("statement_ar") + " #بنفسج", "ar", people,
               counts=(240, 96)),
        _tweet(sc, sc.ids["campaign_tweet"], sc.at(-5 * 3600), f"{sc.text('campaign_ar')} @{huda.x_handle}", "ar",
               people, counts=(51, 12)),
    ]
    return out, (f"data/tweets_media/{report_id}-{media_key}.jpg", sc.photo_c)


def _relations(kind: str, people: list[Person]) -> list[dict[str, Any]]:
    return [{kind: {"accountId": p.x_id, "userLink": f"https://twitter.com/intent/user?user_id={p.x_id}"}}
            for p in people]


def _dms(sc: Scenario) -> list[dict[str, Any]]:
    rng = sc.rng("x_archive-dm")
    me, them = sc.collective, sc.attackers[2]
    a, b = sorted((me.x_id, them.x_id), key=int)
    tco, t = f"https://t.co/{alnum(rng, 10)}", sc.at(15 * 60)

    def dm(sender: Person, to: Person, ts: int, text: str, urls: list[dict[str, str]],
           reactions: list[dict[str, str]]) -> dict[str, Any]:
        return {"messageCreate": {"recipientId": to.x_id, "reactions": reactions, "urls": urls, "text": text,
                                  "mediaUrls": [], "senderId": sender.x_id, "id": snowflake(ts, rng),
                                  "createdAt": utc_iso(ts + rng.random()), "editHistory": []}}

    reply_ts = t + 310
    return [{"dmConversation": {"conversationId": f"{a}-{b}", "messages": [
        dm(me, them, reply_ts, sc.text("reported_en"), [],
           [{"senderId": them.x_id, "reactionKey": "funny", "eventId": snowflake(reply_ts + 20, rng),
             "createdAt": utc_iso(reply_ts + 20)}]),
        dm(them, me, t, f"{sc.text('threat_iq')}\n{tco}",
           [{"url": tco, "expanded": "https://example.org/leak-0614", "display": "example.org/leak-0614"}], []),
    ]}}]


def write(out_dir: Path, scenario: Scenario) -> Path:
    sc = scenario
    me = sc.collective
    tweets, media = _tweets(sc)
    followers = [p for p, _ in sorted(sc.wave, key=lambda pt: -pt[1])] + list(sc.defenders)
    following = [sc.nadia, sc.shirin, sc.huda]
    files: dict[str, tuple[str, list[Any]]] = {
        "account": ("data/account.js", [{"account": {
            "email": "banafsha.sample@example.org", "createdVia": "web", "username": me.x_handle,
            "accountId": me.x_id, "createdAt": utc_iso(me.created), "accountDisplayName": me.name}}]),
        "directMessages": ("data/direct-messages.js", _dms(sc)),
        "follower": ("data/follower.js", _relations("follower", followers)),
        "following": ("data/following.js", _relations("following", following)),
        "tweets": ("data/tweets.js", tweets),
    }
    globals_ = {"account": "account", "directMessages": "direct_messages", "follower": "follower",
                "following": "following", "tweets": "tweets"}
    data_types: dict[str, Any] = {}
    for key, (fname, items) in files.items():
        entry: dict[str, Any] = {}
        if key in ("tweets", "directMessages"):
            entry["mediaDirectory"] = "data/tweets_media" if key == "tweets" else "data/direct_messages_media"
        entry["files"] = [{"fileName": fname, "globalName": f"YTD.{globals_[key]}.part0", "count": str(len(items))}]
        data_types[key] = entry
    members = [(fname, x_js(f"window.YTD.{globals_[k]}.part0", items)) for k, (fname, items) in files.items()]
    size = sum(len(b) for _, b in members) + len(media[1])
    manifest = {"userInfo": {"accountId": me.x_id, "userName": me.x_handle, "displayName": me.name},
                "archiveInfo": {"sizeBytes": str(size), "generationDate": utc_iso(sc.export_ts + 82),
                                "isPartialArchive": False, "maxPartSizeBytes": "53687091200"},
                "readmeInfo": {"fileName": "data/README.txt", "directory": "data/", "name": "README.txt"},
                "dataTypes": data_types}
    all_members = [("Your archive.html", HTML.encode()), ("data/manifest.js", x_js("window.__THAR_CONFIG", manifest)),
                   *members, media]
    name = f"twitter-{sc.export_date}-{sc.rng('x-name').getrandbits(64):016x}.zip"
    return write_zip(out_dir / name, all_members, sc.zip_time)
