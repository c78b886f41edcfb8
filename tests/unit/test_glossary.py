"""The Danish catalogues use one word for one thing (docs/glossary.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

LOCALE = Path(__file__).parents[2] / "skranke" / "web" / "locale"
# Word (as a regular expression) -> the glossary's word for the same thing.
AVOID = {
    r"\b[Yy]delse(r|n|rne)?\b": "ærinde",
    r"\b[Ee]kspederet\b": "betjent",
    r"\b[Ii]kke mødt\b": "udeblevet",
    r"\bfx\b": "f.eks.",
    r"\bfor tidlig\b": "kommet for tidligt",
    r"\bautomat(en)?\b": "skærmen ved indgangen",
    r"\b1 gange\b": "1 gang (plural forms)",
    r"\bBook tid\b": "Bestil tid",
}


def danish_texts() -> dict[str, str]:
    found = {}
    for path in sorted((LOCALE / "da").glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            found[f"{path.stem}:{key}"] = text
    return found


def test_the_danish_catalogues_use_the_glossarys_words() -> None:
    wrong = [
        f"{where}: {pattern!r} -> {word}"
        for where, text in danish_texts().items()
        for pattern, word in AVOID.items()
        if re.search(pattern, text)
    ]
    assert wrong == []


def test_no_danish_time_is_written_with_a_period() -> None:
    # "kl. 21.40" and "09:30" side by side; the glossary picks the colon.
    wrong = [w for w, t in danish_texts().items() if re.search(r"\b\d{1,2}\.\d{2}\b(?!\.\d)", t)]
    assert wrong == []
