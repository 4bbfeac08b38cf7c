"""The columns of a 12345 work order file: what each means, the names hotline platforms give them, and how
their values read.

Headers and coded values (咨询, 满意 …) are data in the platform's own language, not interface text, so they
are not translated: an export made in the English interface still re-imports, and reads as the platform
expects. Header normalisation and value lookup are the ledger import's own (registry_io.columns).
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.cases.models import Nature, Rating, Status
from minqing.registry_io.columns import lookup_key, normalise_header, parse_date


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy translated label for the interface
    header: str  # the header the export writes
    synonyms: tuple[str, ...]
    max_length: int | None = None
    imported: bool = True  # False: written by the export, recognised on upload, never imported


COLUMNS: tuple[Column, ...] = (
    Column(
        "number",
        _("Work order number"),
        "工单编号",
        ("工单编号", "工单号", "工单号码", "工单编码", "受理编号", "诉求编号", "编号"),
        60,
    ),
    Column(
        "received_at",
        _("Call received at"),
        "来电时间",
        ("来电时间", "受理时间", "来电日期", "受理日期", "登记时间", "诉求时间", "反映时间"),
    ),
    Column(
        "reporter_name",
        _("Caller"),
        "诉求人",
        ("诉求人", "来电人", "联系人", "诉求人姓名", "来电人姓名", "联系人姓名", "反映人", "姓名"),
        60,
    ),
    Column(
        "phone",
        _("Phone"),
        "联系电话",
        ("联系电话", "电话", "来电号码", "来电电话", "诉求人电话", "手机", "手机号", "手机号码", "联系方式"),
    ),
    Column(
        "description",
        _("Request"),
        "诉求内容",
        ("诉求内容", "问题描述", "来电内容", "反映内容", "诉求描述", "工单内容", "诉求详情", "内容"),
    ),
    Column("nature", _("Nature"), "诉求类型", ("诉求类型", "来电类型", "诉求性质", "工单类型", "类型")),
    Column(
        "category",
        _("Category"),
        "问题分类",
        ("问题分类", "诉求分类", "问题类型", "事项分类", "业务分类", "分类"),
    ),
    Column(
        "address", _("Address"), "诉求地址", ("诉求地址", "事发地址", "事发地点", "问题地址", "地址"), 200
    ),
    Column(
        "organisation",
        _("Handling unit"),
        "承办单位",
        ("承办单位", "办理单位", "责任单位", "承办部门", "处置单位", "主办单位"),
    ),
    Column(
        "deadline",
        _("Time limit"),
        "办理时限",
        ("办理时限", "办结时限", "处理时限", "办理期限", "要求办结时间", "截止时间", "时限"),
    ),
    # The export's own columns: what the community answers back. Recognised on upload so that an export
    # re-imports cleanly, but never imported: a case's answer and satisfaction are made by our own workflow
    # (answer → verify → close, call-back), and the 三率 must count only those.
    Column("status", _("Status"), "办理状态", ("办理状态", "工单状态", "状态"), imported=False),
    Column(
        "result",
        _("Result"),
        "办理结果",
        ("办理结果", "处理结果", "办理情况", "答复内容", "回复内容"),
        imported=False,
    ),
    Column(
        "feedback",
        _("Call-back result"),
        "回访结果",
        ("回访结果", "回访情况", "满意度", "回访满意度", "评价结果"),
        imported=False,
    ),
    Column("grid", _("Grid"), "所属网格", ("所属网格", "网格"), imported=False),
)
BY_KEY = {c.key: c for c in COLUMNS}
IMPORTED = tuple(c for c in COLUMNS if c.imported)
REQUIRED = ("number", "description")

EXPORT_ORDER = (
    "number",
    "received_at",
    "reporter_name",
    "phone",
    "description",
    "nature",
    "category",
    "address",
    "grid",
    "organisation",
    "deadline",
    "status",
    "result",
    "feedback",
)
EXPORT_HEADERS = [BY_KEY[key].header for key in EXPORT_ORDER]

# When no header matches exactly: a header containing one of these is probably that column.
_CONTAINS = (
    ("工单", "number"),
    ("编号", "number"),
    ("来电时间", "received_at"),
    ("电话", "phone"),
    ("手机", "phone"),
    ("诉求人", "reporter_name"),
    ("来电人", "reporter_name"),
    ("内容", "description"),
    ("描述", "description"),
    ("诉求类型", "nature"),
    ("分类", "category"),
    ("地址", "address"),
    ("承办", "organisation"),
    ("时限", "deadline"),
    ("结果", "result"),
)

_SYNONYMS = {normalise_header(s): c.key for c in COLUMNS for s in c.synonyms}


def guess_mapping(headers: list[str], *, imported_only: bool = True) -> dict[str, int]:
    """{column key: column index} guessed from the header names; each key at most once, first column wins.
    The export-only columns are recognised (so they do not pass for another column) but left out."""
    mapping: dict[str, int] = {}
    normalised = [normalise_header(h) for h in headers]
    for index, header in enumerate(normalised):
        key = _SYNONYMS.get(header)
        if key and key not in mapping:
            mapping[key] = index
    taken = set(mapping.values())
    for index, header in enumerate(normalised):
        if index in taken or not header or len(header) > 12:  # a long cell is a value, not a header
            continue
        for fragment, key in _CONTAINS:
            if fragment in header and key not in mapping:
                mapping[key] = index
                taken.add(index)
                break
    if imported_only:
        mapping = {key: index for key, index in mapping.items() if BY_KEY[key].imported}
    return mapping


def header_score(cells: list[str]) -> int:
    return len(guess_mapping(cells, imported_only=False))


# --- values ---------------------------------------------------------------------------------------------

NATURE_LABELS = {
    Nature.ENQUIRY: "咨询",
    Nature.HELP: "求助",
    Nature.COMPLAINT: "投诉",
    Nature.REPORT: "举报",
    Nature.SUGGESTION: "建议",
    Nature.PRAISE: "表扬",
}
NATURE_VALUES = {label: code for code, label in NATURE_LABELS.items()}
NATURE_VALUES |= {
    "求决": Nature.HELP,  # Beijing's word for "please solve this"
    "求助求决": Nature.HELP,
    "意见": Nature.SUGGESTION,
    "意见建议": Nature.SUGGESTION,
    "感谢": Nature.PRAISE,
    "表扬感谢": Nature.PRAISE,
    "检举": Nature.REPORT,
}
NATURE_VALUES |= {code.value: code for code in Nature}

RATING_LABELS = {Rating.SATISFIED: "满意", Rating.BASICALLY: "基本满意", Rating.UNSATISFIED: "不满意"}

STATUS_LABELS = {
    Status.REGISTERED: "待派单",
    Status.REFERRED: "已告知",
    Status.DISPATCHED: "已派单",
    Status.ACCEPTED: "办理中",
    Status.ANSWERED: "已反馈",
    Status.VERIFIED: "已核查",
    Status.CLOSED: "已办结",
}


def parse_nature(value: str) -> str | None:
    """The Nature code for a 诉求类型 ('' for an empty cell), or None when the value is not known.
    '投诉类' and '投诉举报' read as their first known word."""
    if not value:
        return ""
    key = lookup_key(value).removesuffix("类")
    if key in NATURE_VALUES:
        return NATURE_VALUES[key]
    for code, label in NATURE_LABELS.items():
        if key.startswith(label) and len(key) <= len(label) + 2:
            return code
    return None


# 14:30, 14:30:00, 14时, 14时30分, 14点30分00秒 (after NFKC, a full-width colon is a colon)
_TIME = re.compile(r"^(\d{1,2})[:时点](?:(\d{1,2})分?(?:[:]?(\d{1,2})秒?)?)?$")


def parse_moment(value: str, *, end_of_day: bool = False) -> datetime.datetime | None:
    """'2026-03-10 14:30', '2026/3/10 14:30:00', '2026年3月10日 14时30分' or a date alone, as an aware
    datetime in the local time zone. A date alone is its start, or its end with `end_of_day` (a time limit
    of 3 March means "by the end of 3 March")."""
    text = unicodedata.normalize("NFKC", value).strip().replace("T", " ")
    text = re.sub(r"(日)(\d)", r"\1 \2", text)  # '2026年3月10日14时' → '… 10日 14时'
    date_part, _sep, time_part = text.partition(" ")
    day = parse_date(date_part)
    if day is None:
        return None
    time_part = time_part.strip().split(".")[0].split("+")[0]
    if not time_part:
        moment = datetime.time(23, 59, 59) if end_of_day else datetime.time(0, 0)
    else:
        match = _TIME.match(time_part.replace(" ", ""))
        if match is None:
            return None
        hour, minute, second = (int(part or 0) for part in match.groups())
        try:
            moment = datetime.time(hour, minute, second)
        except ValueError:
            return None
    return timezone.make_aware(datetime.datetime.combine(day, moment))


_BUILDING_SUFFIX = re.compile(r"(\d+)(?:号楼|号栋|栋|幢|#楼|#)")


def place_key(text: str) -> str:
    """Addresses and building names compared alike: full-width folded, spaces gone, and 3栋 / 3幢 / 3#楼
    written as 3号楼."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    return _BUILDING_SUFFIX.sub(r"\1号楼", text)
