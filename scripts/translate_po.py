#!/usr/bin/env python3
"""Keep the Simplified Chinese catalogue complete from a reviewed glossary.

The glossary (src/minqing/locale/zh_Hans/glossary.tsv) is the reviewed source of the translations:
one entry per line, ``msgid<TAB>msgstr`` or ``msgid<TAB>msgstr<TAB>msgctxt``; blank lines and lines
starting with ``#`` are ignored; ``\\n``, ``\\t`` and ``\\\\`` are escapes. A plural entry is keyed by its
singular msgid and has one Chinese form (zh has nplurals=1).

Usage (from the repository root, with the project's venv):

    .venv/bin/python scripts/translate_po.py --list     # untranslated and fuzzy entries
    .venv/bin/python scripts/translate_po.py --todo     # the same, as glossary lines to fill in
    .venv/bin/python scripts/translate_po.py --apply    # write glossary translations into the .po
    .venv/bin/python scripts/translate_po.py --check    # exit 1 unless complete, unfuzzy, placeholders kept

``--apply`` sets every entry that the glossary has, clears its fuzzy flag (the glossary line is the check),
fixes the header (Language, Plural-Forms, charset) and keeps one plural form. Entries that the glossary
lacks are left as they are, so a fuzzy guess from msgmerge stays fuzzy until it is reviewed.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "minqing" / "locale" / "zh_Hans"
DEFAULT_PO = LOCALE / "LC_MESSAGES" / "django.po"
DEFAULT_GLOSSARY = LOCALE / "glossary.tsv"

HEADER = {
    "Project-Id-Version": "Minqing",
    "Language-Team": "Simplified Chinese",
    "Language": "zh_Hans",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")

Key = tuple[str | None, str]  # (msgctxt, msgid)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def load_glossary(path: Path) -> dict[Key, str]:
    glossary: dict[Key, str] = {}
    problems = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = raw.split("\t")
        if len(cells) not in (2, 3) or not cells[0] or not cells[1].strip():
            problems.append(f"{path.name}:{number}: expected msgid<TAB>msgstr[<TAB>msgctxt]: {raw!r}")
            continue
        msgid, msgstr = _unescape(cells[0]), _unescape(cells[1])
        context = _unescape(cells[2]) if len(cells) == 3 and cells[2] else None
        key = (context, msgid)
        if key in glossary and glossary[key] != msgstr:
            problems.append(f"{path.name}:{number}: {msgid!r} is translated twice, differently")
        glossary[key] = msgstr
    if problems:
        sys.exit("\n".join(problems))
    return glossary


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def placeholder_problem(entry: polib.POEntry, msgstr: str) -> str | None:
    """Every placeholder of the source must survive; a plural form may drop the count, never add one."""
    wanted = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
    found = placeholders(msgstr)
    if not found <= wanted:
        return f"unknown placeholder(s) {sorted(found - wanted)}"
    if not entry.msgid_plural and found != wanted:
        return f"missing placeholder(s) {sorted(wanted - found)}"
    return None


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def is_done(entry: polib.POEntry) -> bool:
    return entry.translated() and "fuzzy" not in entry.flags and all(t.strip() for t in translations(entry))


def live(catalogue: polib.POFile) -> list[polib.POEntry]:
    return [e for e in catalogue if not e.obsolete]


def fix_header(catalogue: polib.POFile) -> None:
    catalogue.metadata.update(HEADER)
    catalogue.metadata["PO-Revision-Date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000")
    catalogue.metadata.setdefault("Last-Translator", "Minqing localisation")
    if catalogue.metadata.get("Last-Translator", "").startswith("FULL NAME"):
        catalogue.metadata["Last-Translator"] = "Minqing localisation"
    if catalogue.metadata.get("Report-Msgid-Bugs-To", None) is None:
        catalogue.metadata["Report-Msgid-Bugs-To"] = ""
    catalogue.metadata_is_fuzzy = False
    catalogue.header = "Simplified Chinese catalogue of Minqing (民情). Translations: glossary.tsv beside it."


def apply(catalogue: polib.POFile, glossary: dict[Key, str]) -> tuple[int, list[str]]:
    changed, errors = 0, []
    for entry in live(catalogue):
        msgstr = glossary.get((entry.msgctxt, entry.msgid))
        if msgstr is None:
            if entry.msgid_plural and len(entry.msgstr_plural) > 1:  # one form only for zh
                entry.msgstr_plural = {0: entry.msgstr_plural.get(0, "")}
            continue
        problem = placeholder_problem(entry, msgstr)
        if problem:
            errors.append(f"{entry.msgid!r}: {problem}")
            continue
        before = (entry.msgstr, dict(entry.msgstr_plural), list(entry.flags))
        if entry.msgid_plural:
            entry.msgstr_plural = {0: msgstr}
        else:
            entry.msgstr = msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
        if before != (entry.msgstr, dict(entry.msgstr_plural), list(entry.flags)):
            changed += 1
    return changed, errors


def pending(catalogue: polib.POFile) -> list[tuple[str, polib.POEntry]]:
    rows = []
    for entry in live(catalogue):
        if "fuzzy" in entry.flags:
            rows.append(("fuzzy", entry))
        elif not is_done(entry):
            rows.append(("untranslated", entry))
    return rows


def check(catalogue: polib.POFile, glossary: dict[Key, str]) -> list[str]:
    problems = [f"{kind}: {entry.msgid!r}" for kind, entry in pending(catalogue)]
    for entry in live(catalogue):
        for text in translations(entry):
            problem = text and placeholder_problem(entry, text)
            if problem:
                problems.append(f"placeholders: {entry.msgid!r}: {problem}")
    if catalogue.metadata.get("Plural-Forms", "").replace(" ", "") != HEADER["Plural-Forms"].replace(" ", ""):
        problems.append(f"header: Plural-Forms is {catalogue.metadata.get('Plural-Forms')!r}")
    if catalogue.metadata.get("Language") != HEADER["Language"]:
        problems.append(f"header: Language is {catalogue.metadata.get('Language')!r}")
    if "charset=UTF-8" not in catalogue.metadata.get("Content-Type", ""):
        problems.append("header: charset is not UTF-8")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--po", type=Path, default=DEFAULT_PO)
    parser.add_argument("--glossary", type=Path, default=DEFAULT_GLOSSARY)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--list", action="store_true", help="list untranslated and fuzzy entries")
    action.add_argument("--todo", action="store_true", help="print them as glossary lines to fill in")
    action.add_argument("--apply", action="store_true", help="apply the glossary to the catalogue")
    action.add_argument("--check", action="store_true", help="exit 1 unless the catalogue is complete")
    parser.add_argument("--drop-obsolete", action="store_true", help="with --apply: remove #~ entries")
    parser.add_argument("--unused", action="store_true", help="also list glossary lines no entry uses")
    args = parser.parse_args(argv)

    catalogue = polib.pofile(str(args.po), wrapwidth=79)
    glossary = load_glossary(args.glossary) if args.glossary.exists() else {}

    if args.list or args.todo:
        rows = pending(catalogue)
        for kind, entry in rows:
            if args.todo:
                context = f"\t{_escape(entry.msgctxt)}" if entry.msgctxt else ""
                print(f"{_escape(entry.msgid)}\t{_escape(translations(entry)[0])}{context}")
            else:
                plural = f"  | plural: {entry.msgid_plural!r}" if entry.msgid_plural else ""
                current = f"  (now: {translations(entry)[0]!r})" if translations(entry)[0] else ""
                print(f"{kind:12} {entry.msgid!r}{plural}{current}")
        print(f"{len(live(catalogue))} entries, {len(rows)} to do", file=sys.stderr)
    elif args.apply:
        changed, errors = apply(catalogue, glossary)
        if args.drop_obsolete:
            for entry in [e for e in catalogue if e.obsolete]:
                catalogue.remove(entry)
        fix_header(catalogue)
        catalogue.save(str(args.po))
        todo = len(pending(catalogue))
        print(f"{changed} entries updated, {todo} still untranslated or fuzzy", file=sys.stderr)
        if errors:
            print("not applied:\n  " + "\n  ".join(errors), file=sys.stderr)
            return 1
    else:
        problems = check(catalogue, glossary)
        print("\n".join(problems) if problems else f"OK: {len(live(catalogue))} entries, all translated")
        if problems:
            return 1

    if args.unused:
        used = {(e.msgctxt, e.msgid) for e in live(catalogue)}
        for context, msgid in sorted(set(glossary) - used, key=lambda k: k[1]):
            print(f"unused glossary line: {msgid!r}" + (f" (context {context!r})" if context else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
