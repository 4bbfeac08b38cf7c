"""Demo concerns: the field-study stories (S2, S8, …) at the point where a visitor can walk them on, plus
two months of ordinary concerns so that lists, clocks, 督办 and the dashboards have something true to show.

Every case goes through the same actions a user's clicks go through (cases/actions.py), at past moments
(`now=`); the rows' and audit events' times are then moved to those moments, so timelines read as they
would have happened.
"""

import datetime
import random

from django.db.models import Max
from django.utils import timezone

from minqing.cases import actions, deadlines
from minqing.cases.models import Case, Feedback
from minqing.core.models import AuditEvent
from minqing.directory.models import Category
from minqing.notifications.models import Message
from minqing.people.models import Resident
from minqing.places.models import Building

RANDOM_SEED = 20260901

# Ordinary concerns of an old estate, by category (what residents actually say).
EVERYDAY = [
    ("C02", "单元门门禁坏了，外人随便进", "redian_wuye"),
    ("C02", "楼道灯不亮，老人晚上上楼害怕", "redian_wuye"),
    ("C01", "楼下绿化带好久没人修剪了", "redian_wuye"),
    ("C09", "垃圾桶满了两天没人清运", "redian_wuye"),
    ("C07", "楼道里堆了很多纸箱，怕着火", "redian_committee"),
    ("C07", "有人从窗户拉线给电动车充电", "redian_committee"),
    ("C06", "消防通道被私家车堵住了", "redian_wuye"),
    ("C04", "顶楼漏水，墙皮都泡了", "redian_wuye"),
    ("C23", "一楼下水道返水", "redian_wuye"),
    ("C40", "加装电梯什么时候能排上我们单元", "jiugai"),
    ("C40", "旧改后外墙保温层有脱落", "jiugai"),
    ("C22", "暖气不热，屋里才十六度", "erdao_heating"),
    ("C20", "水压太低，五楼没水", "erdao_water"),
    ("C29", "楼上养的狗天天夜里叫", "redian_committee"),
    ("C30", "楼上装修漏水到我家，协商不成", "redian_committee"),
]
HANDLER_ACCOUNTS = {"redian_wuye": "wuye_handler", "jiugai": "jiugai_handler"}
TEXT_ANSWERS = ["已处理完毕", "已安排维修，今天修好", "已清理", "已协调解决", "已列入本月计划并完成"]


class CaseBuilder:
    """Creates the demo cases for the seed (demo/seed.py calls `build`)."""

    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(RANDOM_SEED)
        self.now = timezone.now()
        self.categories = Category.objects.in_bulk(field_name="code")
        self.users = seed.users
        self.orgs = seed.orgs

    # -- time ---------------------------------------------------------------------------------------
    def moment(self, days_ago: int, hour: int = 9, minute: int = 30) -> datetime.datetime:
        day = timezone.localdate(self.now) - datetime.timedelta(days=days_ago)
        local = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
        return min(local, self.now - datetime.timedelta(minutes=5))

    def at(self, moment, work):
        """Run `work` (an action) and date what it wrote to `moment`."""
        last_event = AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0
        last_message = Message.objects.aggregate(m=Max("id"))["m"] or 0
        result = work()
        AuditEvent.objects.filter(id__gt=last_event).update(at=moment)
        Message.objects.filter(id__gt=last_message).update(created_at=moment)
        return result

    # -- building blocks ----------------------------------------------------------------------------
    def building(self, name: str, community: str) -> Building:
        return Building.objects.get(name=name, area__path__startswith=self.seed.areas[community].path)

    def resident_in(self, building: Building, *, exclude=()) -> Resident:
        return (
            Resident.objects.filter(household__building=building, status="active")
            .exclude(pk__in=[r.pk for r in exclude])
            .order_by("id")
            .first()
        )

    def register(self, moment, user, **fields) -> Case:
        case = self.at(moment, lambda: actions.register_case(acting_user=self.users[user], **fields))
        Case.objects.filter(pk=case.pk).update(created_at=moment)
        case.created_at = moment
        return case

    def step(self, case: Case, moment, user, name: str, **kwargs) -> Case:
        case.refresh_from_db()
        return self.at(
            moment,
            lambda: actions.transition(
                acting_user=self.users[user],
                case=case,
                name=name,
                expected_version=case.version,
                now=moment,
                **kwargs,
            ),
        )

    def feedback(self, case: Case, moment, user, rating: str, note: str = "", solved=True):
        case.refresh_from_db()
        reporter = case.reporters.first()
        self.at(
            moment,
            lambda: actions.record_feedback(
                acting_user=self.users[user],
                case=case,
                reporter=reporter,
                contacted=True,
                solved=solved,
                rating=rating,
                note=note,
            ),
        )
        Feedback.objects.filter(case=case).update(recorded_at=moment)

    # -- the stories --------------------------------------------------------------------------------
    def build(self) -> int:
        self.stories()
        self.everyday()
        # The clocks as they stand now: warnings and 督办 already due fire here, as the worker would.
        deadlines.scan(self.now)
        return Case.objects.count()

    def stories(self):
        c = self.categories
        b3 = self.building("3号楼", "redian")
        asker = Resident.objects.get(name="赵桂芬")
        # S2, this morning: the grid leader recorded it on the stairs of Building 3; a neighbour said the same.
        s2 = self.register(
            self.moment(0, 8, 40),
            "redian_leader",
            description="三栋门外没有晾衣杆，别的楼都有了",
            building=b3,
            resident=asker,
            channel="patrol",
        )
        self.at(
            self.moment(0, 8, 45),
            lambda: actions.add_reporter(
                acting_user=self.users["redian_leader"],
                case=s2,
                resident=self.resident_in(b3, exclude=[asker]),
            ),
        )
        # S2, the other question: water pipes. Dispatched to 旧改办 eight days ago, accepted, still no answer.
        pipes = self.register(
            self.moment(8, 9, 10),
            "redian_leader",
            description="水管改造什么时候到我们楼？三栋的水管还是八五年的",
            building=b3,
            resident=asker,
            category=c["C40"],
            channel="patrol",
        )
        self.step(pipes, self.moment(8, 9, 20), "redian_leader", "dispatch", organisation=self.orgs["jiugai"])
        self.step(pipes, self.moment(8, 10, 5), "jiugai_handler", "accept")
        # S8, last night at 20:10: a blocked drain is the property company's; told the number, follow up today.
        drain_case = self.register(
            self.moment(1, 20, 10),
            "redian_leader",
            description="厨房下水道堵了，水排不下去",
            building=self.building("6号楼", "redian"),
            reporter_name="冯先生",
            category=c["C23"],
            channel="phone",
        )
        wuye = self.orgs["redian_wuye"]
        self.step(
            drain_case,
            self.moment(1, 20, 12),
            "redian_leader",
            "refer",
            note=f"已告知联系{wuye.name} {wuye.service_phone}，明天回访",
        )
        # S7: the wheelchair charging cord from the window; a charging post was installed, and she is pleased.
        b5 = self.building("5号楼", "redian")
        cord = self.register(
            self.moment(20, 15, 0),
            "redian_leader",
            description="田大爷的电动轮椅没地方充电，一直从窗户拉线充电，有安全隐患",
            building=b5,
            resident=Resident.objects.get(name="周淑琴"),
            category=c["C07"],
            channel="patrol",
            risk=True,
        )
        self.step(cord, self.moment(20, 15, 30), "redian_leader", "dispatch", organisation=wuye)
        self.step(cord, self.moment(19, 9, 0), "wuye_handler", "accept")
        self.step(
            cord, self.moment(15, 16, 0), "wuye_handler", "answer", note="楼下已安装两个充电桩，可扫码充电"
        )
        self.step(cord, self.moment(14, 10, 0), "redian_leader", "verify")
        self.step(cord, self.moment(14, 10, 5), "redian_leader", "close")
        self.feedback(cord, self.moment(13, 10, 0), "redian_grid1", "satisfied", "充电方便多了，谢谢")
        # A lift that groans: the property company asks for more time (parts on order); a supervisor decides.
        lift = self.register(
            self.moment(4, 10, 0),
            "redian_grid1",
            description="2号楼电梯运行时有异响，老人不敢坐",
            building=self.building("2号楼", "redian"),
            category=c["C03"],
        )
        self.step(lift, self.moment(4, 10, 20), "redian_grid1", "dispatch", organisation=wuye)
        self.step(lift, self.moment(4, 11, 0), "wuye_handler", "accept")
        lift.refresh_from_db()
        self.at(
            self.moment(1, 15, 0),
            lambda: actions.request_extension(
                acting_user=self.users["wuye_handler"],
                case=lift,
                days=5,
                reason="曳引机配件需从厂家订货，约一周到货",
            ),
        )
        # 阙里: a noodle shop's tables on the street; sent to the law-enforcement bureau.
        queli = self.seed.areas["queli_g1"]
        stall = self.register(
            self.moment(3, 9, 0),
            "queli_admin",
            description="五马祠街有店家把桌椅摆到街面，游客不好走",
            area=queli,
            address="五马祠街",
            category=c["C11"],
            channel="patrol",
        )
        self.step(
            stall, self.moment(3, 9, 10), "queli_admin", "dispatch", organisation=self.orgs["qufu_zhifa"]
        )
        # 孔目江: the river warning sign blown down; the river chief's office fixed it; to verify.
        sign = self.register(
            self.moment(5, 7, 40),
            "kongmu_admin",
            description="江边游泳区的警示牌被风刮倒了",
            area=self.seed.areas["kongmu_g1"],
            address="孔目江滨江步道",
            category=c["C16"],
            channel="patrol",
            risk=True,
        )
        self.step(
            sign, self.moment(5, 8, 0), "kongmu_admin", "dispatch", organisation=self.orgs["yushui_hezhang"]
        )

    def everyday(self):
        """Two months of ordinary concerns in 热电社区: most closed, some late, a few unhappy."""
        grids = {"redian_grid1": "redian_g1", "redian_grid2": "redian_g2", "redian_leader": "redian_g3"}
        buildings = {
            user: list(Building.objects.filter(area=self.seed.areas[grid]).order_by("id"))
            for user, grid in grids.items()
        }
        with_accounts = [item for item in EVERYDAY if item[2] in HANDLER_ACCOUNTS]
        for _n in range(48):
            user = self.rng.choice(list(grids))
            days_ago = self.rng.randint(2, 62)
            # Organisations without a demo account never accept: only recent concerns wait with them.
            code, text, org = self.rng.choice(EVERYDAY if days_ago < 10 else with_accounts)
            start = self.moment(days_ago, self.rng.randint(8, 16), self.rng.choice([0, 15, 30, 45]))
            building = self.rng.choice(buildings[user])
            case = self.register(
                start,
                user,
                description=text,
                building=building,
                resident=self.resident_in(building),
                category=self.categories[code],
                channel=self.rng.choice(["walk_in", "visit", "phone", "patrol"]),
            )
            if code in ("C07", "C29") and self.rng.random() < 0.5:
                self.step(
                    case,
                    start + datetime.timedelta(minutes=20),
                    user,
                    "resolve_on_spot",
                    note="已现场劝导处理",
                )
                continue
            late = self.rng.random() < 0.2
            self.step(
                case, start + datetime.timedelta(minutes=15), user, "dispatch", organisation=self.orgs[org]
            )
            accepted = start + datetime.timedelta(hours=7 if late else 1)
            if accepted >= self.now:
                continue
            handler = HANDLER_ACCOUNTS.get(org)
            if handler is None:
                continue  # still in that organisation's queue
            self.step(case, accepted, handler, "accept")
            answered = accepted + datetime.timedelta(days=9 if late else self.rng.randint(1, 4))
            if answered >= self.now:
                continue
            self.step(case, answered, handler, "answer", note=self.rng.choice(TEXT_ANSWERS))
            checked = answered + datetime.timedelta(days=1)
            if checked >= self.now:
                continue
            self.step(case, checked, user, "verify")
            self.step(case, checked + datetime.timedelta(minutes=5), user, "close")
            called = checked + datetime.timedelta(days=1)
            if called >= self.now or self.rng.random() < 0.25:
                continue  # waiting for a call-back
            rating = self.rng.choices(["satisfied", "basically", "unsatisfied"], [70, 22, 8])[0]
            note = "问题还没彻底解决" if rating == "unsatisfied" else ""
            self.feedback(case, called, user, rating, note, solved=rating != "unsatisfied")
