"""The labelled public datasets under ``../shared/data``, read into one shape with fixed splits.

Each dataset annotates some of our labels and says nothing about the others, so an example carries
only the labels its dataset annotates: a Davidson tweet is evidence about ``insult``, never a
negative for ``misogyny``. Official test (or, where the test set is not public, dev) splits are our
test splits; datasets without splits are cut 80/10/10 by a salted SHA-256 of the text's matching
form, so a text and its duplicates always fall in the same split and the cut never changes.
Training examples whose matching form also occurs in any test split are dropped.
"""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from himaya.nlp.normalize import normalize

SPLIT_SALT = "himaya-content-split-v1"
Split = str  # "train" | "val" | "test"


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    dataset: str
    split: Split
    labels: dict[str, int] = field(default_factory=dict)


def hash_split(dataset: str, text: str, val: int = 10, test: int = 10) -> Split:
    bucket = int.from_bytes(hashlib.sha256(f"{SPLIT_SALT}|{dataset}|{normalize(text)}".encode()).digest()[:4], "big") % 100
    if bucket < test:
        return "test"
    return "val" if bucket < test + val else "train"


def train_or_val(dataset: str, text: str) -> Split:
    """Official training files: 10 % held out for calibration and thresholds."""
    return "val" if hash_split(dataset, text, val=10, test=0) == "val" else "train"


def _csv_rows(path: Path, **kwargs: object) -> Iterator[list[str]]:
    csv.field_size_limit(10**8)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.reader(fh, **kwargs)  # type: ignore[arg-type]


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def xlsx_rows(path: Path) -> Iterator[list[str]]:
    """Rows of the first sheet of an .xlsx as strings (the stdlib is enough for these plain sheets)."""
    with zipfile.ZipFile(path) as z:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))  # noqa: S314
            shared = ["".join(t.text or "" for t in si.iter(f"{_NS}t")) for si in root.iter(f"{_NS}si")]
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    for row in sheet.iter(f"{_NS}row"):
        cells: dict[int, str] = {}
        for c in row.iter(f"{_NS}c"):
            col = 0
            for ch in re.match(r"[A-Z]+", c.get("r", "A")).group(0):  # type: ignore[union-attr]
                col = col * 26 + ord(ch) - 64
            v = c.find(f"{_NS}v")
            if c.get("t") == "s" and v is not None and v.text is not None:
                cells[col - 1] = shared[int(v.text)]
            elif c.get("t") == "inlineStr":
                cells[col - 1] = "".join(t.text or "" for t in c.iter(f"{_NS}t"))
            elif v is not None:
                cells[col - 1] = v.text or ""
        if cells:
            yield [cells.get(i, "") for i in range(max(cells) + 1)]


def _osact2020(root: Path) -> Iterator[Example]:
    d = root / "osact2020_offenseval2020_arabic" / "OSACT4"
    for name, test in (("OSACT2020-sharedTask-train.txt", False), ("OSACT2020-sharedTask-dev.txt", True)):
        for row in _csv_rows(d / name, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) >= 3:
                split = "test" if test else train_or_val("osact2020", row[0])
                yield Example(row[0], "ar", "osact2020", split, {"insult": int(row[1] == "OFF")})


def _osact2022_labels(fields: list[str]) -> dict[str, int]:
    off, hate, vulgar, violence = fields
    return {"insult": int(off == "OFF"), "misogyny": int(hate == "HS6"), "sexual_harassment": int(vulgar == "VLG"),
            "threat_of_violence": int(violence == "VIO")}


def _osact2022(root: Path) -> Iterator[Example]:
    d = root / "osact2022_arabic_finegrained_hate" / "data"
    for name, test in (("train_data2022.csv", False), ("dev_data2022.csv", True)):
        rows = _csv_rows(d / name)
        next(rows)
        for row in rows:
            if len(row) < 6:
                continue
            records = [(row[1], row[2:6])]
            if "\n" in row[1] and "\t" in row[1]:
                # The copy merged later rows into this field (SOURCES.md): split them back out.
                lines = row[1].split("\n")
                records = [(lines[0], row[2:6])]
                for line in lines[1:]:
                    parts = line.split("\t")
                    if len(parts) >= 6:
                        records.append((parts[1], [p.strip().strip('"') for p in parts[2:6]]))
            for text, fields in records:
                split = "test" if test else train_or_val("osact2022", text)
                yield Example(text, "ar", "osact2022", split, _osact2022_labels(fields))


def _t_hsab(root: Path) -> Iterator[Example]:
    for row in xlsx_rows(root / "t_hsab_tunisian" / "T-HSAB Corpus" / "T-HSAB.xlsx"):
        if len(row) >= 2 and row[1].strip() in ("normal", "abusive", "hate"):
            yield Example(row[0], "ar", "t_hsab", hash_split("t_hsab", row[0]), {"insult": int(row[1].strip() != "normal")})


def _omcd(root: Path) -> Iterator[Example]:
    rows = xlsx_rows(root / "omcd_moroccan_offensive_vanetik" / "translated-datasets-repo" / "arabic_off_lang_dataset_ID11.xlsx")
    header = [h.strip().lower() for h in next(rows)]
    text_col = next(i for i, h in enumerate(header) if h in ("text", "comment", "tweet", "sentence"))
    off_col = header.index("offensive")
    for row in rows:
        if len(row) > off_col and row[off_col].strip() in ("0", "1") and row[text_col].strip():
            yield Example(row[text_col], "ar", "omcd", hash_split("omcd", row[text_col]), {"insult": int(row[off_col].strip())})


def _parsoffensive(root: Path) -> Iterator[Example]:
    rows = xlsx_rows(root / "parsoffensive_persian" / "ParsOffensive.xlsx")
    next(rows)
    for row in rows:
        if len(row) >= 2 and row[1].strip() in ("Neutral", "Offensive"):
            yield Example(row[0], "fa", "parsoffensive", hash_split("parsoffensive", row[0]),
                          {"insult": int(row[1].strip() == "Offensive")})


def _pars_off(root: Path) -> Iterator[Example]:
    d = root / "pars_off_persian" / "Pars-OFF Dataset" / "Pars-OFF"
    for name, test in (("Pars-OFF_levela_train.csv", False), ("Pars-OFF_levela_test.csv", True)):
        rows = _csv_rows(d / name)
        next(rows)
        for row in rows:
            if len(row) >= 2 and row[1] in ("OFF", "NOT"):
                split = "test" if test else train_or_val("pars_off", row[0])
                yield Example(row[0], "fa", "pars_off", split, {"insult": int(row[1] == "OFF")})


def _edos(root: Path) -> Iterator[Example]:
    rows = _csv_rows(root / "edos_sexism_english" / "data" / "edos_labelled_aggregated.csv")
    next(rows)
    for _id, text, sexist, _category, vector, split in rows:
        yield Example(text, "en", "edos", {"dev": "val"}.get(split, split), {
            "misogyny": int(sexist == "sexist"), "threat_of_violence": int(vector.startswith("1.1")),
            "incitement": int(vector.startswith("1.2")), "sexual_harassment": int(vector.startswith("2.3"))})


def _olid(root: Path) -> Iterator[Example]:
    d = root / "olid_offensive_english" / "OffensEval2020-Arabic" / "OLIDv1.0"
    rows = _csv_rows(d / "olid-training-v1.0.tsv", delimiter="\t", quoting=csv.QUOTE_NONE)
    next(rows)
    for row in rows:
        yield Example(row[1], "en", "olid", train_or_val("olid", row[1]), {"insult": int(row[2] == "OFF")})
    gold = {r[0]: r[1] for r in _csv_rows(d / "labels-levela.csv") if len(r) >= 2}
    rows = _csv_rows(d / "testset-levela.tsv", delimiter="\t", quoting=csv.QUOTE_NONE)
    next(rows)
    for row in rows:
        if row[0] in gold:
            yield Example(row[1], "en", "olid", "test", {"insult": int(gold[row[0]] == "OFF")})


def _davidson(root: Path) -> Iterator[Example]:
    rows = _csv_rows(root / "davidson_hate_offensive_english" / "data" / "labeled_data.csv")
    next(rows)
    for row in rows:
        yield Example(row[6], "en", "davidson", hash_split("davidson", row[6]), {"insult": int(row[5] in ("0", "1"))})


def _mlma(root: Path) -> Iterator[Example]:
    for lang in ("ar", "en"):
        rows = _csv_rows(root / "mlma_hate_speech" / "hate_speech_mlma" / f"{lang}_dataset.csv")
        next(rows)
        for row in rows:
            if len(row) < 7:
                continue
            text, sentiment, target = row[1], set(row[2].split("_")), row[5]
            hostile = int(sentiment != {"normal"})
            labels = {"insult": hostile, "misogyny": int(hostile and target == "gender")}
            if lang == "en":
                labels["anti_lgbtqi_hate"] = int(hostile and target == "sexual_orientation")
            yield Example(text, lang, "mlma", hash_split(f"mlma_{lang}", text), labels)


READERS = {"osact2020": _osact2020, "osact2022": _osact2022, "t_hsab": _t_hsab, "omcd": _omcd,
           "parsoffensive": _parsoffensive, "pars_off": _pars_off, "edos": _edos, "olid": _olid,
           "davidson": _davidson, "mlma": _mlma}
DATASET_LANGUAGE = {"osact2020": "ar", "osact2022": "ar", "t_hsab": "ar (Tunisian)", "omcd": "ar (Moroccan, part Arabizi)",
                    "parsoffensive": "fa", "pars_off": "fa", "edos": "en", "olid": "en", "davidson": "en", "mlma": "ar, en"}


def default_data_root() -> Path:
    return Path(__file__).resolve().parents[4].parent / "shared" / "data"


def load_examples(root: Path, datasets: tuple[str, ...] | None = None) -> list[Example]:
    """Every example of the named datasets (default: all), training examples that leak a test text dropped."""
    examples = [ex for name in (datasets or tuple(READERS)) for ex in READERS[name](root) if ex.text.strip()]
    test_forms = {normalize(ex.text) for ex in examples if ex.split == "test"}
    return [ex for ex in examples if ex.split == "test" or normalize(ex.text) not in test_forms]
