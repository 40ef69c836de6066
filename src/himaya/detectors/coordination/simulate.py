"""A campaign simulator with ground truth: organic users, hard negatives and 1–5 coordinated networks.

Organic life: people posting in their own words with common hashtags, sharing popular articles,
replying to celebrities. Hard negatives, which naive co-action tools flag: *fans* who share the
same celebrity posts (minutes apart, notification-driven), *news bots* that repost every headline
of the outlets they poll (each on its own polling delay, with its own tracking tags), *critics*
who write about the target in their own words with the campaign's hashtags while it trends, some
of them quoting the abuse to denounce it, and a few very heavy posters.

Networks (20–500 accounts) post in waves: each member joins a wave with some probability, after a
jitter of up to a minute or two, with a paraphrase of one of the network's templates, hashtags in
shuffled order, the smear link with varying tracking tags or host, a re-encoded image (new sha256,
nearby PDQ hash), a reply to the target's post or a share of the network's seed post. Some members
are dormant accounts that wake for the campaign; networks hop platforms over the campaign (waves
hit the old and the new platform together during the hand-over), in Arabic, Persian or English.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from himaya.detectors.coordination.features import PostInput
from himaya.detectors.coordination.media import MediaRef
from himaya.detectors.coordination.simvocab import (
    CAMPAIGN_TAGS,
    CRITIC_PHRASES,
    DENOUNCE,
    EMOJI,
    HASHTAGS,
    LANGUAGES,
    TARGETS,
    TEMPLATES,
    WORDS,
)

PLATFORMS: tuple[str, ...] = ("x", "facebook", "telegram", "instagram")
START = datetime(2025, 3, 1, tzinfo=UTC).timestamp()
DAY = 86400.0


@dataclass(frozen=True)
class SimConfig:
    seed: int = 0
    organic_accounts: int = 1500
    networks: int | None = None               # None: 1 to 5, drawn from the seed
    network_size: tuple[int, int] = (20, 200)
    days: int = 14
    posts_per_account: float = 8.0            # organic mean; heavy-tailed
    heavy_posters: int = 3
    heavy_posts: int = 2000
    news_outlets: int = 8
    news_bots: int = 8
    celebrities: int = 4
    fan_share: float = 0.2
    critics: int = 120
    account_offset: int = 0                   # several simulations side by side (the benchmark's chunks)
    start_day: int = 0                        # days after 2025-03-01 when the simulated period begins


@dataclass
class Network:
    id: str
    language: str
    target: str
    platforms: list[str]
    members: list[str] = field(default_factory=list)
    dormant: list[str] = field(default_factory=list)


@dataclass
class Simulation:
    posts: list[PostInput]
    languages: list[str]
    networks: list[Network]
    truth: dict[str, str]       # coordinated account key -> network id
    roles: dict[str, str]       # every account key -> organic, fan, news_bot, critic, heavy, outlet, network

    def truth_json(self) -> dict[str, Any]:
        return {"networks": [{"id": n.id, "language": n.language, "target": n.target, "platforms": n.platforms,
                              "members": n.members, "dormant": n.dormant} for n in self.networks],
                "accounts": self.truth, "roles": self.roles}


class _Sim:
    def __init__(self, cfg: SimConfig) -> None:
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)  # noqa: S311 - reproducible simulation, not secrets
        self.posts: list[PostInput] = []
        self.langs: list[str] = []
        self.roles: dict[str, str] = {}
        self.counter = 0
        self.start = START + cfg.start_day * DAY
        self.end = self.start + cfg.days * DAY

    def account(self, platform: str, role: str) -> tuple[str, str, str]:
        self.counter += 1
        author_id = str(10_000_000 + self.cfg.account_offset + self.counter)
        handle = f"{role[:4]}_{self.cfg.account_offset + self.counter}"
        key = f"{platform}|id:{author_id}"
        self.roles[key] = role
        return key, author_id, handle

    def post(self, who: tuple[str, str, str], t: float, text: str, lang: str, *, tags: tuple[str, ...] = (),
             urls: tuple[str, ...] = (), reply_to: str | None = None, post_type: str = "post",
             media: tuple[MediaRef, ...] = ()) -> str:
        key, author_id, handle = who
        platform = key.split("|", 1)[0]
        pid = f"p{self.cfg.account_offset + len(self.posts) + 1}"
        if tags:
            text = f"{text} {' '.join('#' + t for t in tags)}".strip()
        self.posts.append(PostInput(platform, pid, key, round(t), text, handle, author_id,
                                    "reply" if reply_to else post_type, tags, urls, reply_to, None, None, media))
        self.langs.append(lang)
        return pid

    def words(self, lang: str, n: int) -> str:
        return " ".join(self.rng.sample(WORDS[lang], n))

    def lognormal_count(self, mean: float) -> int:
        return max(1, int(self.rng.lognormvariate(0, 1.0) * mean / 1.65))

    def link(self, site: str, path: str) -> str:
        r = self.rng.random()
        host = ("m." if r < 0.2 else "www." if r < 0.5 else "") + site
        query = self.rng.choice(("", "?utm_source=tw", f"?utm_source=fb&utm_campaign=c{self.rng.randint(1, 99)}",
                                 f"?fbclid=IwAR{self.rng.randint(10**6, 10**7)}", "?s=20"))
        return f"https://{host}/{path}{query}"


def _paraphrase(rng: random.Random, template: tuple[str | tuple[str, ...], ...], target: str) -> str:
    parts = [(rng.choice(slot) if isinstance(slot, tuple) else slot).format(target) for slot in template]
    if rng.random() < 0.3:  # swap two neighbouring words
        i = rng.randrange(len(parts) - 1)
        parts[i], parts[i + 1] = parts[i + 1], parts[i]
    if rng.random() < 0.2:  # Arabic/Persian letter variants and tatweel
        parts = [p.replace("ي", "ى").replace("ك", "ک").replace("ة", "ه").replace("ل", "لـ") for p in parts]
    return " ".join(parts) + " " + rng.choice(EMOJI)


def _pdq_variant(rng: random.Random, base: int) -> str:
    flips = rng.sample(range(256), rng.randint(2, 12))
    for bit in flips:
        base ^= 1 << bit
    return f"{base:064x}"


def _organic(s: _Sim, platforms: tuple[str, ...]) -> None:
    cfg, rng = s.cfg, s.rng
    articles = [f"news-{i}" for i in range(400)]
    celebs = []
    for _ in range(cfg.celebrities):
        lang = rng.choice(LANGUAGES)
        who = s.account(rng.choice(platforms), "celebrity")
        times = [rng.uniform(s.start, s.end) for _ in range(cfg.days * 4)]
        celebs.append((who, lang, [(s.post(who, t, s.words(lang, 9), lang), t) for t in times]))
    outlets = []
    for i in range(cfg.news_outlets):
        lang = LANGUAGES[i % 3]
        who = s.account("x", "outlet")
        items = []
        for _ in range(cfg.days * 12):
            t = rng.uniform(s.start, s.end)
            headline = s.words(lang, 10)
            url = f"https://outlet{i}.example/{rng.randint(10**6, 10**7)}"
            pid = s.post(who, t, headline, lang, urls=(url,))
            items.append((t, headline, url, pid))
        outlets.append((who, lang, items))
    # News bots repost each headline of the outlets they poll, each on its own delay and tracking tags.
    for _ in range(cfg.news_bots):
        bot = s.account("x", "news_bot")
        polled = rng.sample(outlets, min(len(outlets), rng.randint(2, 4)))
        tag = f"utm_source=bot{rng.randint(1, 999)}"
        for _o, lang, items in polled:
            for t, headline, url, _pid in items:
                s.post(bot, t + rng.uniform(20, 1200), headline, lang, urls=(f"{url}?{tag}",))
    n_fans = int(cfg.organic_accounts * cfg.fan_share)
    for n in range(cfg.organic_accounts):
        lang = rng.choice(LANGUAGES)
        plat = rng.choice(platforms)
        heavy = n < cfg.heavy_posters
        who = s.account(plat, "heavy" if heavy else "fan" if n < n_fans else "organic")
        count = cfg.heavy_posts if heavy else s.lognormal_count(cfg.posts_per_account)
        for _ in range(count):
            t = rng.uniform(s.start - 120 * DAY * (rng.random() < 0.05), s.end)
            tags = tuple(rng.sample(HASHTAGS[lang], rng.choice((0, 0, 1, 1, 2)))) if rng.random() < 0.5 else ()
            r = rng.random()
            if r < 0.12:
                s.post(who, t, s.words(lang, 7), lang, tags=tags, urls=(s.link("popular.example", rng.choice(articles[:60])),))
            elif r < 0.2:
                celeb = rng.choice(celebs)
                if celeb[0][0].split("|")[0] == plat:
                    s.post(who, t, s.words(lang, 6), lang, reply_to=rng.choice(celeb[2])[0])
            else:
                s.post(who, t, s.words(lang, rng.randint(6, 14)), lang, tags=tags)
        if n < n_fans:  # fans share their celebrity's and outlets' posts minutes after they appear
            celeb_who, clang, ids = rng.choice(celebs)
            celeb_platform = celeb_who[0].split("|")[0]
            for pid, src_t in ids:
                if rng.random() < 0.5:
                    lag = rng.lognormvariate(6.0, 1.3)  # median ~7 minutes, a long tail of hours
                    s.post(who, src_t + lag, "", clang, post_type="share",
                           urls=(f"https://{celeb_platform}.example/{celeb_who[2]}/{pid}",))


def _network(s: _Sim, k: int, platforms: tuple[str, ...]) -> Network:
    rng, cfg = s.rng, s.cfg
    lang = rng.choice(LANGUAGES)
    target = rng.choice(TARGETS)
    hops = rng.sample(platforms, rng.choice((1, 1, 2, 3)))
    net = Network(f"net{k}", lang, target, list(hops))
    size = rng.randint(*cfg.network_size)
    members = []
    for i in range(size):
        who = s.account(hops[i % len(hops)], "network")
        members.append(who)
        net.members.append(who[0])
    start = rng.uniform(s.start + DAY, s.end - 4 * DAY)
    duration = rng.uniform(2, 4) * DAY
    for who in members:
        if rng.random() < 0.25:  # dormant: a few old posts, then silence until the campaign
            net.dormant.append(who[0])
            for _ in range(rng.randint(2, 5)):
                s.post(who, start - rng.uniform(60, 400) * DAY, s.words(lang, 8), lang)
        else:
            for _ in range(rng.randint(0, 8)):
                s.post(who, rng.uniform(s.start, s.end), s.words(lang, rng.randint(6, 12)), lang)
    templates = TEMPLATES[lang]
    tags = tuple(t.format(target) for t in CAMPAIGN_TAGS[lang])
    jitter = rng.choice((20, 40, 60, 90))
    participation = rng.uniform(0.5, 0.9)
    image = rng.getrandbits(256)
    seed_posts = {p: s.post(members[i], start - 600, s.words(lang, 8), lang)
                  for i, p in enumerate(hops) if i < len(members)}
    target_posts = {p: f"target-{k}-{p}" for p in hops}
    waves = rng.randint(15, 35)
    for w in range(waves):
        t0 = start + duration * w / waves + rng.uniform(0, 600)
        frac = w / waves
        active = {p for i, p in enumerate(hops) if i / len(hops) - 0.15 <= frac < (i + 1) / len(hops) + 0.15}
        kind = rng.choices(("text", "reply", "share"), (0.7, 0.15, 0.15))[0]
        template = rng.choice(templates)
        with_url, with_media = rng.random() < 0.4, rng.random() < 0.3
        for who in members:
            plat = who[0].split("|")[0]
            if plat not in active or rng.random() > participation:
                continue
            t = t0 + rng.uniform(0, jitter)
            if kind == "reply":
                s.post(who, t, _paraphrase(rng, template, target), lang, reply_to=target_posts[plat])
            elif kind == "share":
                s.post(who, t, "", lang, post_type="share",
                       urls=(f"https://{plat}.example/{members[0][2]}/{seed_posts.get(plat, 'x')}",))
            else:
                chosen = tuple(rng.sample(tags, rng.randint(2, 3)))
                urls = (s.link("truth-about-" + target.lower() + ".example", "exposed"),) if with_url else ()
                media = (MediaRef(f"https://cdn.example/{rng.getrandbits(64):x}.jpg", None,
                                  _pdq_variant(rng, image)),) if with_media else ()
                s.post(who, t, _paraphrase(rng, template, target), lang, tags=chosen, urls=urls, media=media)
    _critics(s, net, start, duration, tags, templates)
    return net


def _critics(s: _Sim, net: Network, start: float, duration: float, tags: tuple[str, ...],
             templates: tuple[tuple[str | tuple[str, ...], ...], ...]) -> None:
    """People reacting to the campaign in their own words while it trends; some quote the abuse to denounce it."""
    rng, lang = s.rng, net.language
    for _ in range(max(10, s.cfg.critics // 3)):
        who = s.account(rng.choice(net.platforms), "critic")
        for _ in range(rng.randint(1, 4)):
            t = rng.uniform(start, start + duration)
            if rng.random() < 0.3:
                text = DENOUNCE[lang].format(net.target, _paraphrase(rng, rng.choice(templates), net.target))
            else:
                phrase = [w.format(net.target) for w in rng.sample(CRITIC_PHRASES[lang], 9)]
                text = " ".join(phrase)
            s.post(who, t, text, lang, tags=tuple(rng.sample(tags, 2)) if rng.random() < 0.6 else ())


def simulate(cfg: SimConfig) -> Simulation:
    s = _Sim(cfg)
    platforms = PLATFORMS
    n_networks = cfg.networks if cfg.networks is not None else s.rng.randint(1, 5)
    _organic(s, platforms)
    networks = [_network(s, k, platforms) for k in range(n_networks)]
    truth = {m: n.id for n in networks for m in n.members}
    return Simulation(s.posts, s.langs, networks, truth, s.roles)


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_jsonl(sim: Simulation, out: Path) -> Path:
    """The posts in Himaya's generic JSONL format (`himaya ingest` reads it) and `<out>.truth.json` beside them."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for p, lang in zip(sim.posts, sim.languages, strict=True):
            row: dict[str, Any] = {"schema_version": "himaya.generic/1", "platform": p.platform,
                                   "record_type": p.post_type if p.post_type in ("post", "reply", "share") else "post",
                                   "post_id": p.post_id, "created_at": _iso(p.time or START), "author_id": p.author_id,
                                   "author_handle": p.handle, "text": p.text, "lang": lang}
            if p.reply_to:
                row["reply_to"] = p.reply_to
            if p.hashtags:
                row["hashtags"] = list(p.hashtags)
            if p.urls:
                row["links"] = list(p.urls)
            if p.media:
                row["media"] = [{"url": m.key, "type": "image/jpeg", **({"pdq": m.pdq} if m.pdq else {})}
                                for m in p.media]
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    truth = out.with_name(out.name + ".truth.json")
    truth.write_text(json.dumps(sim.truth_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return truth
