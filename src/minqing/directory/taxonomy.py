"""The default concern taxonomy (data/taxonomy-default.csv, 43 categories in 15 domains) and the words in it
that a plain-language question ("下水道堵了") is matched against."""

import csv
import re
from pathlib import Path

TAXONOMY = Path(__file__).resolve().parent / "data" / "taxonomy-default.csv"
KEYWORDS = Path(__file__).resolve().parent / "data" / "keywords.csv"
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def default_rows() -> list[dict]:
    with TAXONOMY.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_default(category_model) -> int:
    """Create the default categories that are not there yet; an admin's edits are kept."""
    existing = set(category_model.objects.values_list("code", flat=True))
    new = [
        category_model(
            code=row["code"],
            domain=row["domain"],
            name=row["category"][:120],
            usual_owner=row["first_owner"][:200],
            usual_escalation=row["escalation_or_co_owner"].strip("–")[:200],
            emergency=row["emergency_hint"] == "yes",
            dispute=row["dispute"] == "yes",
        )
        for row in default_rows()
        if row["code"] not in existing
    ]
    category_model.objects.bulk_create(new)
    return len(new)


def load_keywords(category_model) -> int:
    """Add the everyday words of data/keywords.csv to categories that have none yet."""
    with KEYWORDS.open(encoding="utf-8") as fh:
        words = {row["code"]: row["keywords"] for row in csv.DictReader(fh)}
    updated = 0
    for category in category_model.objects.filter(code__in=words, keywords=""):
        category.keywords = words[category.code]
        category.save(update_fields=["keywords"])
        updated += 1
    return updated


def bigrams(text: str) -> set[str]:
    """Two-character pieces of the Chinese in `text`: 下水道堵了 → 下水, 水道, 道堵, 堵了.

    Chinese has no spaces; two characters are the shortest unit that still means something (下水, 电梯, 漏水),
    so matching on them finds 下水道堵塞 from 下水道堵了 without a word list or a model."""
    found = set()
    for run in _HAN.findall(text):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            found.add(run)
    return found


def score(question: str, category_text: str, keywords: str = "") -> int:
    """Shared two-character words, plus one point for each one-character keyword (狗, 堵) in the question."""
    single = sum(1 for word in keywords.split() if len(word) == 1 and word in question)
    return len(bigrams(question) & bigrams(f"{category_text} {keywords}")) + single
