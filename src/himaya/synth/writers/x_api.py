"""twarc2 JSONL: one X API v2 response page per line (formats README §6).

Page 1 is a full-archive search for the collective: the attackers' replies under its statement
(Arabic, Persian, Arabizi, English), a Persian retweet whose original sits in `includes.tweets`,
and a defender's quote. Page 2 is the collective's mentions timeline, with an `errors[]` entry for
a deleted post. Lines are `json.dumps(page)`: ASCII with `\\uXXXX` escapes, `__twarc` last.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from himaya.synth._util import alnum, snowflake, utc_iso
from himaya.synth.scenario import Person, Scenario
from himaya.synth.writers._x import replies, v2_entities

TWARC_VERSION = "2.14.0"


def _user(p: Person, followers: int, following: int, tweets: int, description: str = "") -> dict[str, Any]:
    return {"id": p.x_id, "username": p.x_handle, "name": p.name, "created_at": utc_iso(p.created),
            "description": description, "protected": False, "verified": False,
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{p.x_id}/sample_normal.jpg",
            "public_metrics": {"followers_count": followers, "following_count": following, "tweet_count": tweets,
                               "listed_count": 0, "like_count": 0}}


def _tweet(tid: str, text: str, author: Person, lang: str, ts: int, people: dict[str, Person], *,
           conversation: str | None = None, reply_to: Person | None = None,
           refs: tuple[tuple[str, str], ...] = (), links: dict[str, str] | None = None,
           metrics: tuple[int, int, int, int] = (0, 0, 0, 0), full: bool = True,
           media_key: str | None = None) -> dict[str, Any]:
    t: dict[str, Any] = {"id": tid, "text": text, "author_id": author.x_id, "lang": lang, "created_at": utc_iso(ts),
                         "conversation_id": conversation or tid}
    if reply_to:
        t["in_reply_to_user_id"] = reply_to.x_id
    if refs:
        t["referenced_tweets"] = [{"type": kind, "id": rid} for kind, rid in refs]
    if full:
        ents = v2_entities(text, people, links or {})
        if ents:
            t["entities"] = ents
    if media_key:
        t["attachments"] = {"media_keys": [media_key]}
    rt, rp, lk, qt = metrics
    t["public_metrics"] = {"retweet_count": rt, "reply_count": rp, "like_count": lk, "quote_count": qt,
                           "bookmark_count": 0, "impression_count": 0}
    if full:
        t["possibly_sensitive"] = False
        t["reply_settings"] = "everyone"
    t["edit_history_tweet_ids"] = [tid]
    return t


def pages(sc: Scenario) -> list[dict[str, Any]]:
    rng = sc.rng("x_api")
    me, chan, a = sc.collective, sc.channel, sc.attackers
    people = {p.x_handle: p for p in sc.people()}
    rs = replies(sc)
    root = sc.ids["statement_tweet"]
    link = f"https://t.co/{alnum(rng, 10)}"
    links = {link: f"https://www.instagram.com/{me.handle}/"}
    chan_text = f"{sc.text('report_fa')} {link}"
    rt_id, rt_ts = snowflake(sc.at(2 * 3600 + 380), rng), sc.at(2 * 3600 + 380)
    gender = f"@{me.x_handle} {sc.text('gender_en')}"
    quote_text = f"{sc.text('document_en')} @{me.x_handle}"
    data = [
        *(_tweet(r.id, r.text, r.author, r.lang, r.at, people, conversation=r.thread, reply_to=r.to,
                 refs=(("replied_to", r.to_id),), metrics=(2, 1, 9, 0),
                 media_key=f"3_{r.media[1]}" if r.media else None) for r in rs),
        _tweet(rt_id, f"RT @{chan.x_handle}: {chan_text}", a[5], "fa", rt_ts, people,
               refs=(("retweeted", sc.ids["channel_tweet"]),), links=links, metrics=(71, 0, 0, 0)),
        _tweet(snowflake(sc.at(2 * 3600 + 900), rng), gender, a[6], "en", sc.at(2 * 3600 + 900), people,
               conversation=root, reply_to=me, refs=(("replied_to", root),)),
        _tweet(snowflake(sc.at(3 * 3600), rng), quote_text, sc.huda, "en", sc.at(3 * 3600), people,
               refs=(("quoted", rs[0].id),), metrics=(14, 2, 60, 1)),
    ]
    data.sort(key=lambda t: int(t["id"]), reverse=True)
    authors = {t["author_id"] for t in data}
    users = [_user(p, 2, 300 + 40 * i, 20 + i, "") for i, p in enumerate(a) if p.x_id in authors]
    users += [_user(sc.huda, 5100, 420, 8700, "journalist | صحفية (sample data)"),
              _user(me, 12800, 300, 4100, "تجمّع نسوي | feminist collective (sample)"),
              _user(chan, 9100, 12, 650, "اخبار | news (sample)")]
    included = [
        _tweet(sc.ids["channel_tweet"], chan_text, chan, "fa", sc.at(-40 * 60), people, links=links,
               metrics=(310, 2, 150, 9), full=False),
        _tweet(root, sc.text("statement_ar") + " #بنفسج", me, "ar", sc.at(2 * 3600), people,
               metrics=(96, 31, 240, 4), full=False),
    ]
    ids = sorted((t["id"] for t in data), key=int)
    query = quote("بنفسج OR banafsha_sample", safe="")
    media = [{"media_key": f"3_{r.media[1]}", "type": "photo", "width": 96, "height": 96,
              "url": f"https://pbs.twimg.com/media/{r.media[2]}.jpg"} for r in rs if r.media]
    page1 = {"data": data, "includes": {"users": users, "tweets": included, "media": media},
             "meta": {"newest_id": ids[-1], "oldest_id": ids[0], "result_count": len(data),
                      "next_token": alnum(rng, 40).lower()},
             "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all?expansions=author_id%2C"
                         f"referenced_tweets.id&tweet.fields=created_at%2Clang&query={query}&max_results=100",
                         "version": TWARC_VERSION, "retrieved_at": utc_iso(sc.export_ts - 3600)[:19] + "+00:00"}}
    deleted = snowflake(sc.at(2 * 3600 + 1000), rng)
    mid, mts = snowflake(sc.at(2 * 3600 + 1200), rng), sc.at(2 * 3600 + 1200)
    threat = _tweet(mid, f"@{me.x_handle} {sc.text('threat_en')}", a[8], "en", mts, people, conversation=deleted,
                    reply_to=me, refs=(("replied_to", deleted),))
    page2 = {"data": [threat], "includes": {"users": [_user(a[8], 0, 870, 64)]},
             "errors": [{"value": deleted, "detail": f"Could not find tweet with referenced_tweets.id: [{deleted}].",
                         "title": "Not Found Error", "resource_type": "tweet", "parameter": "referenced_tweets.id",
                         "resource_id": deleted, "type": "https://api.twitter.com/2/problems/resource-not-found"}],
             "meta": {"result_count": 1, "newest_id": mid, "oldest_id": mid},
             "__twarc": {"url": f"https://api.twitter.com/2/users/{me.x_id}/mentions?max_results=100",
                         "version": TWARC_VERSION, "retrieved_at": utc_iso(sc.export_ts - 3590)[:19] + "+00:00"}}
    return [page1, page2]


def write(out_dir: Path, scenario: Scenario) -> Path:
    """`twarc2_search_<collective>.jsonl`: each line one page, as `twarc2 search … out.jsonl` writes it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"twarc2_{scenario.collective.x_handle}.jsonl"
    path.write_bytes("".join(json.dumps(p) + "\n" for p in pages(scenario)).encode("ascii"))
    return path
