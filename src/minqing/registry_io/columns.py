"""The ledger's columns: what each means, the names communities give them, and how their values read.

Headers and coded values in a ledger file are data in the ledger's own language (Chinese), not interface
text, so they are not translated: an export made in the English interface still re-imports anywhere.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from minqing.people.models import Relation, ResidenceType, Sex


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy translated label for the interface
    header: str  # the header written by the export
    synonyms: tuple[str, ...]  # headers read as this column (normalised, see normalise_header)
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("name", _("Full name"), "姓名", ("姓名", "名字", "居民姓名", "人员姓名", "成员姓名", "name"), 60),
    Column("sex", _("Sex"), "性别", ("性别", "sex", "gender")),
    Column(
        "id_number",
        _("ID number"),
        "身份证号",
        (
            "身份证号",
            "身份证号码",
            "公民身份号码",
            "公民身份证号码",
            "证件号码",
            "证件号",
            "身份证",
            "身份号码",
            "idnumber",
        ),
    ),
    Column(
        "phone",
        _("Phone"),
        "联系电话",
        ("联系电话", "手机", "手机号", "手机号码", "电话", "电话号码", "联系方式", "phone", "mobile"),
    ),
    Column(
        "birth_date", _("Birth date"), "出生日期", ("出生日期", "出生年月", "出生年月日", "生日", "birthdate")
    ),
    Column("grid", _("Grid"), "网格", ("网格", "所属网格", "网格名称", "grid")),
    Column(
        "building", _("Building"), "楼栋", ("楼栋", "楼号", "楼栋号", "楼栋名称", "楼", "栋", "building"), 60
    ),
    Column("unit", _("Unit"), "单元", ("单元", "单元号", "unit"), 30),
    Column(
        "room", _("Door number"), "门牌号", ("门牌号", "房号", "室", "房间号", "户室号", "门牌", "room"), 20
    ),
    Column(
        "relation",
        _("Relation to head of household"),
        "与户主关系",
        ("与户主关系", "户主关系", "与户主的关系", "关系", "relation"),
    ),
    Column(
        "residence_type",
        _("Residence type"),
        "居住类型",
        ("居住类型", "人口类型", "户籍类型", "人员类型", "人口性质", "residencetype"),
    ),
    Column("note", _("Note"), "备注", ("备注", "备注说明", "note", "notes"), 1000),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = ("name", "building", "room")

# Export only: tags are not imported (a sensitive tag needs its legal basis, which a ledger does not carry).
TAGS_HEADER = "标签"
EXPORT_HEADERS = [c.header for c in COLUMNS] + [TAGS_HEADER]

# When no header matches exactly: a header containing one of these is probably that column.
_CONTAINS = (
    ("身份证", "id_number"),
    ("证件号", "id_number"),
    ("手机", "phone"),
    ("电话", "phone"),
    ("出生", "birth_date"),
    ("姓名", "name"),
    ("网格", "grid"),
    ("单元", "unit"),
    ("门牌", "room"),
    ("房号", "room"),
    ("楼栋", "building"),
    ("性别", "sex"),
    ("备注", "note"),
)


def normalise_header(text: str) -> str:
    """'* 联系电话（手机）' → '联系电话': full-width forms folded, markers, spaces and bracketed asides removed."""
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\s*:：_\-.]", "", text)


_SYNONYMS = {normalise_header(s): c.key for c in COLUMNS for s in c.synonyms}


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """{column key: column index} guessed from the header names; each key at most once, first column wins."""
    mapping: dict[str, int] = {}
    normalised = [normalise_header(h) for h in headers]
    for index, header in enumerate(normalised):
        key = _SYNONYMS.get(header)
        if key and key not in mapping:
            mapping[key] = index
    taken = set(mapping.values())
    for index, header in enumerate(normalised):
        if index in taken or not header:
            continue
        for fragment, key in _CONTAINS:
            if fragment in header and key not in mapping:
                mapping[key] = index
                taken.add(index)
                break
    return mapping


def header_score(cells: list[str]) -> int:
    return len(guess_mapping(cells))


# --- values ---------------------------------------------------------------------------------------------

SEX_VALUES = {"男": Sex.MALE, "男性": Sex.MALE, "m": Sex.MALE, "male": Sex.MALE}
SEX_VALUES |= {"女": Sex.FEMALE, "女性": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE}
SEX_LABELS = {Sex.MALE: "男", Sex.FEMALE: "女"}

RELATION_LABELS = {
    Relation.HEAD: "户主",
    Relation.SPOUSE: "配偶",
    Relation.CHILD: "子女",
    Relation.PARENT: "父母",
    Relation.GRANDCHILD: "孙子女",
    Relation.SIBLING: "兄弟姐妹",
    Relation.TENANT: "租户",
    Relation.OTHER: "其他",
}
_RELATION_SYNONYMS = {
    Relation.HEAD: ("本人", "户主本人"),
    Relation.SPOUSE: ("妻", "夫", "妻子", "丈夫"),
    Relation.CHILD: ("子", "女", "儿子", "女儿", "长子", "长女", "次子", "次女", "儿媳", "女婿"),
    Relation.PARENT: ("父亲", "母亲", "父", "母"),
    Relation.GRANDCHILD: ("孙子", "孙女", "外孙", "外孙女", "外孙子"),
    Relation.SIBLING: ("兄", "弟", "姐", "妹", "兄弟", "姐妹", "哥哥", "弟弟", "姐姐", "妹妹"),
    Relation.TENANT: ("租客", "承租人"),
    Relation.OTHER: ("其它",),
}
RELATION_VALUES = {label: code for code, label in RELATION_LABELS.items()}
RELATION_VALUES |= {syn: code for code, syns in _RELATION_SYNONYMS.items() for syn in syns}
RELATION_VALUES |= {code.value: code for code in Relation}

RESIDENCE_LABELS = {
    ResidenceType.REGISTERED: "户籍",
    ResidenceType.PERMANENT: "常住",
    ResidenceType.FLOATING: "流动",
}
RESIDENCE_VALUES = {label: code for code, label in RESIDENCE_LABELS.items()}
RESIDENCE_VALUES |= {f"{label}人口": code for code, label in RESIDENCE_LABELS.items()}
RESIDENCE_VALUES |= {"户籍人员": ResidenceType.REGISTERED, "流动人员": ResidenceType.FLOATING}
RESIDENCE_VALUES |= {code.value: code for code in ResidenceType}


def lookup_key(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().lower().replace(" ", "")


def parse_choice(value: str, table: dict) -> str | None:
    """The code for a ledger value ('' for an empty cell), or None when the value is not known."""
    if not value:
        return ""
    return table.get(lookup_key(value))


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: str) -> datetime.date | None:
    """1950-03-07, 1950/3/7, 1950.3.7, 1950年3月7日, 19500307 (and an Excel date cell, read as ISO)."""
    text = unicodedata.normalize("NFKC", value).strip()
    text = text.split(" ")[0].split("T")[0]  # '1950-03-07 00:00:00'
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def normalise_place(value: str, suffix: str) -> str:
    """'３' → '3号楼' for a building, '1' → '1单元' for a unit: a bare number gets the usual suffix so that
    '3' and '3号楼' name the same building and the address reads '3号楼1单元301'."""
    text = unicodedata.normalize("NFKC", value).strip()
    text = re.sub(r"\s+", "", text)
    if text.isdigit():
        return f"{int(text)}{suffix}"
    return text


def normalise_room(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value).strip())
