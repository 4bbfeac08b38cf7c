"""The dashboards: counts and 三率 with known numbers, scoping, the breakdown, hotspots, and a constant
number of queries.

November 2026 in 第一网格 (grid1), built through the case actions at controlled times:

    A  registered 11-02, dispatched 09:10, accepted 09:30 (on time), answered, verified, closed 11-04;
       two call-backs 11-05, both satisfied
    B  registered 11-02, dispatched 10:10, accepted 11:00 (on time); still open
    C  registered 11-03, dispatched 09:10, never accepted: yellow then red by the scan of 11-05 (overdue)
    D  registered 11-04, resolved on the spot; call-back 11-05 basically satisfied
    E  registered 11-05, merged into B (a duplicate: counted nowhere)
    F  registered 10-20, resolved on the spot 11-10; call-back 11-11 not reached (no rating)
    G  registered 10-21, resolved on the spot 10-22; call-back 11-12 not satisfied (so it reopens)
    第二网格 (grid2): X registered 11-06, resolved on the spot.   阙里第一网格 (grid3): Y registered 11-07, open.

So for grid1 in November: dispatched 3 (A B C), accepted on time 2 → response 66.7 %; went overdue 1 →
overdue rate 33.3 %; registered 4 (A B C D), closed now 2 → resolution 50.0 %; rated call-backs 4 (A A D G),
satisfied 3 → satisfaction 75.0 %; closed in the period 3 (A D F); open now 3 (B C G); overdue now 1 (C).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from minqing.cases import deadlines
from minqing.cases.actions import merge_cases, record_feedback, register_case, transition
from minqing.dashboards import periods
from minqing.directory.models import Category

NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def step(case, name, user, clock, day, time, **kwargs):
    clock.at(day, time)
    case.refresh_from_db()
    return transition(
        acting_user=user, case=case, name=name, expected_version=case.version, now=clock.now, **kwargs
    )


def new_case(world, clock, day, time="08:45", *, by=None, **where):
    clock.at(day, time)
    if not where:
        where = {"building": world.building1}
    return register_case(acting_user=by or world.grid_worker, description="楼道灯不亮", **where)


def callback(world, clock, case, day, rating, note=""):
    clock.at(day, "10:00")
    case.refresh_from_db()
    return record_feedback(
        acting_user=world.grid_worker,
        case=case,
        reporter=None,
        contacted=bool(rating),
        rating=rating,
        note=note,
    )


@pytest.fixture
def november(world, clock):
    gw, handler, org = world.grid_worker, world.handler, world.renovation
    drains, lights = categories(2)

    a = new_case(world, clock, "2026-11-02", category=drains, building=world.building1)
    step(a, "dispatch", gw, clock, "2026-11-02", "09:10", organisation=org)
    step(a, "accept", handler, clock, "2026-11-02", "09:30")
    step(a, "answer", handler, clock, "2026-11-03", "10:00", note="修好了")
    step(a, "verify", gw, clock, "2026-11-03", "15:00")
    step(a, "close", gw, clock, "2026-11-04", "09:00")
    callback(world, clock, a, "2026-11-05", "satisfied")
    callback(world, clock, a, "2026-11-05", "satisfied")

    b = new_case(world, clock, "2026-11-02", "09:50", category=drains, building=world.building1)
    step(b, "dispatch", gw, clock, "2026-11-02", "10:10", organisation=org)
    step(b, "accept", handler, clock, "2026-11-02", "11:00")

    c = new_case(world, clock, "2026-11-03", category=lights, building=world.building1)
    step(c, "dispatch", gw, clock, "2026-11-03", "09:10", organisation=org)

    d = new_case(world, clock, "2026-11-04", area=world.grid1)
    step(d, "resolve_on_spot", gw, clock, "2026-11-04", "10:00", note="当场解决")
    callback(world, clock, d, "2026-11-05", "basically")

    e = new_case(world, clock, "2026-11-05", category=drains, building=world.building1)
    clock.at("2026-11-05", "09:30")
    merge_cases(acting_user=world.community_admin, keep=b, duplicate=e)

    f = new_case(world, clock, "2026-10-20", area=world.grid1)
    step(f, "resolve_on_spot", gw, clock, "2026-11-10", "10:00", note="当场解决")
    callback(world, clock, f, "2026-11-11", "")

    g = new_case(world, clock, "2026-10-21", area=world.grid1)
    step(g, "resolve_on_spot", gw, clock, "2026-10-22", "10:00", note="当场解决")
    callback(world, clock, g, "2026-11-12", "unsatisfied", note="灯又坏了")

    x = new_case(world, clock, "2026-11-06", by=world.grid_worker2, building=world.building2)
    step(x, "resolve_on_spot", world.grid_worker2, clock, "2026-11-06", "10:00", note="当场解决")
    new_case(world, clock, "2026-11-07", by=world.other_admin, building=world.building3)

    deadlines.scan(now=timezone.make_aware(datetime.datetime(2026, 11, 5, 9, 0)))
    clock.at("2026-11-20", "12:00")
    return {
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "e": e,
        "f": f,
        "g": g,
        "x": x,
        "drains": drains,
        "lights": lights,
    }


def categories(n):
    return [Category.objects.create(code=f"ZZ{i:02d}", domain="测试", name=f"测试类别{i}") for i in range(n)]


def get(login, user, params=None, name="dashboards:area"):
    return login(user).get(reverse(name), params or {})


def rates(tally):
    return {rate.code: (rate.numerator, rate.denominator, rate.percent) for rate in tally.rates}


def test_grid_worker_sees_the_numbers_of_her_grid(login, world, november):
    response = get(login, world.grid_worker, NOVEMBER)

    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert dashboard.area == world.grid1
    assert rates(dashboard.total) == {
        "response": (2, 3, Decimal("66.7")),
        "resolution": (2, 4, Decimal("50.0")),
        "satisfaction": (3, 4, Decimal("75.0")),
        "overdue": (1, 3, Decimal("33.3")),
    }
    total = dashboard.total
    assert (total.registered, total.closed, total.open_now, total.overdue_now) == (4, 3, 3, 1)
    assert total.yellow + total.red == 1
    assert dashboard.rows == []  # a grid has no children
    html = response.content.decode()
    for percent in ("66.7%", "50.0%", "75.0%", "33.3%"):
        assert percent in html
    # Each definition is written on the page.
    assert "accepted within the time limit for accepting" in html
    assert "Duplicates merged into another case count in neither" in html
    assert "satisfied or basically satisfied" in html
    assert "went past a time limit" in html


def test_a_rate_with_nothing_to_divide_by_shows_a_dash(login, world, november):
    response = get(login, world.grid_worker2, NOVEMBER)

    dashboard = response.context["dashboard"]
    assert dashboard.area == world.grid2
    assert rates(dashboard.total) == {
        "response": (0, 0, None),
        "resolution": (1, 1, Decimal("100.0")),
        "satisfaction": (0, 0, None),
        "overdue": (0, 0, None),
    }
    html = response.content.decode()
    assert html.count('<span class="dash-rate-value">—</span>') == 3


def test_period_filters_what_is_counted(login, world, november):
    october = get(login, world.grid_worker, OCTOBER).context["dashboard"].total

    assert (october.registered, october.resolved, october.closed) == (2, 1, 0)  # F and G; G reopened
    assert (october.dispatched, october.rated) == (0, 0)
    assert (october.open_now, october.overdue_now) == (3, 1)  # "now" does not depend on the period

    first_days = get(login, world.grid_worker, {"from": "2026-11-02", "to": "2026-11-02"})
    total = first_days.context["dashboard"].total
    assert (total.registered, total.dispatched, total.accepted_on_time) == (2, 2, 2)


def test_community_admin_sees_a_row_per_grid(login, world, november):
    dashboard = get(login, world.community_admin, NOVEMBER).context["dashboard"]

    assert dashboard.area == world.community
    assert [row.area for row in dashboard.rows] == [world.grid1, world.grid2]
    grid1, grid2 = dashboard.rows
    assert (grid1.tally.registered, grid1.tally.resolved) == (4, 2)
    assert (grid2.tally.registered, grid2.tally.resolved) == (1, 1)
    assert dashboard.total.registered == 5
    assert dashboard.total.rate("resolution").percent == Decimal("60.0")
    # grid1 resolves 50 % against the community's 60 %: marked as lagging.
    resolution = {
        row.area: cell for row in dashboard.rows for cell in row.cells if cell.rate.code == "resolution"
    }
    assert resolution[world.grid1].lags
    assert not resolution[world.grid2].lags


def test_street_officer_sees_a_row_per_community_and_can_drill_down(login, world, november):
    response = get(login, world.street_officer, NOVEMBER)
    dashboard = response.context["dashboard"]

    assert dashboard.area == world.street
    assert [(row.area, row.tally.registered) for row in dashboard.rows] == [
        (world.community, 5),
        (world.other_community, 1),
    ]
    assert dashboard.total.registered == 6
    assert f"?area={world.community.pk}&amp;from=2026-11-01&amp;to=2026-11-30" in response.content.decode()

    grid = get(login, world.street_officer, {"area": world.grid1.pk, **NOVEMBER}).context["dashboard"]
    assert grid.total.registered == 4
    assert [a.pk for a in grid.ancestors] == [world.street.pk, world.community.pk]


def test_grids_inside_an_estate_are_rows_of_their_community(login, world, november, clock):
    from tests.factories import area

    estate = area("estate", "热电小区", world.community)
    estate_grid = area("grid", "小区网格", estate)
    case = new_case(world, clock, "2026-11-15", by=world.community_admin, area=estate_grid)

    dashboard = get(login, world.community_admin, NOVEMBER).context["dashboard"]

    assert [row.label for row in dashboard.rows] == ["第一网格", "第二网格", "热电小区 · 小区网格"]
    assert dashboard.rows[2].tally.registered == 1
    assert case.area == estate_grid
    street = get(login, world.street_officer, NOVEMBER).context["dashboard"]
    assert street.rows[0].tally.registered == 6  # the estate's grid folds into 热电社区


@pytest.mark.parametrize("user", ["grid_worker2", "other_admin"])
def test_scope_never_leaks(login, world, november, user):
    account = getattr(world, user)
    dashboard = get(login, account, NOVEMBER).context["dashboard"]

    assert dashboard.total.registered == 1  # X for gw2, Y for ca2: never grid1's 4
    assert get(login, account, {"area": world.grid1.pk}).status_code == 404
    assert get(login, account, {"area": world.street.pk}).status_code == 404


def test_other_community_admin_sees_only_her_community(login, world, november):
    response = get(login, world.other_admin, NOVEMBER)
    dashboard = response.context["dashboard"]

    assert dashboard.area == world.other_community
    assert [row.area for row in dashboard.rows] == [world.grid3]
    assert [c["pk"] for c in response.context["choices"]] == [world.other_community.pk]
    assert "热电社区" not in response.content.decode()


def test_area_that_is_not_a_number_is_not_found(login, world):
    assert get(login, world.street_officer, {"area": "x"}).status_code == 404
    assert get(login, world.street_officer, {"area": "999999"}).status_code == 404


def test_hotspots_only_for_supervisors(login, world, november):
    assert get(login, world.grid_worker, NOVEMBER).context["dashboard"].hotspot_buildings is None
    assert "Hotspots" not in get(login, world.grid_worker, NOVEMBER).content.decode()

    response = get(login, world.community_admin, NOVEMBER)
    dashboard = response.context["dashboard"]
    buildings = [(item["pk"], item["name"], item["count"]) for item in dashboard.hotspot_buildings]
    assert buildings == [(world.building1.pk, "3号楼", 3), (world.building2.pk, "7号楼", 1)]  # E was merged
    top_categories = [(item["pk"], item["count"]) for item in dashboard.hotspot_categories]
    assert top_categories == [(november["drains"].pk, 2), (None, 2), (november["lights"].pk, 1)]
    html = response.content.decode()
    assert "Hotspots" in html
    assert f"{reverse('cases:list')}?building={world.building1.pk}" in html


def test_organisation_dashboard_is_for_handlers(login, world, november):
    response = get(login, world.handler, NOVEMBER, name="dashboards:organisation")

    assert response.status_code == 200
    total = response.context["total"]
    assert rates(total) == {
        "response": (2, 3, Decimal("66.7")),
        "resolution": (1, 3, Decimal("33.3")),  # A closed of A B C
        "satisfaction": (2, 2, Decimal("100.0")),  # A's two call-backs
        "overdue": (1, 3, Decimal("33.3")),
    }
    assert (total.open_now, total.overdue_now) == (2, 1)
    assert "Hotspots" not in response.content.decode()
    for user in (world.grid_worker, world.street_officer, world.volunteer, world.resident_user):
        assert get(login, user, name="dashboards:organisation").status_code == 403


def test_area_dashboard_is_for_staff(login, world):
    for user in (world.handler, world.volunteer, world.resident_user):
        assert get(login, user).status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-13-45", "to": "2026-11-30"},
        {"from": "yesterday"},
        {"from": "2026-11-30", "to": "2026-11-01"},
        {"from": "0001-01-01", "to": "9999-12-31"},
    ],
)
def test_bad_dates_give_a_message_and_this_month(login, world, params):
    response = get(login, world.grid_worker, params)

    assert response.status_code == 200
    assert response.context["period"] == periods.this_month(timezone.localdate())
    [message] = [str(m) for m in response.context["messages"]]
    assert "Showing this month instead" in message


def test_default_period_is_this_month_and_presets_are_offered(login, world):
    response = get(login, world.grid_worker)
    today = timezone.localdate()

    assert response.context["period"] == periods.this_month(today)
    assert [p["code"] for p in response.context["presets"] if p["active"]] == ["month"]
    last = periods.last_month(today)
    assert f"from={last.start:%Y-%m-%d}&amp;to={last.end:%Y-%m-%d}" in response.content.decode()


def test_periods():
    day = datetime.date(2026, 3, 15)
    assert periods.this_month(day) == periods.Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert periods.last_month(day) == periods.Period(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert periods.last_month(datetime.date(2026, 1, 9)).start == datetime.date(2025, 12, 1)
    assert periods.this_year(day).end == datetime.date(2026, 12, 31)
    assert periods.parse({"from": "2026-03-02"}, day) == (
        periods.Period(datetime.date(2026, 3, 2), datetime.date(2026, 3, 31)),
        "",
    )


def _queries(login, user, params, name="dashboards:area"):
    client = login(user)
    client.get(reverse(name), params)  # warm: session, content types
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name), params).status_code == 200
    return len(queries)


def test_query_count_is_constant(login, world, clock):
    first = new_case(world, clock, "2026-11-02")
    step(first, "dispatch", world.grid_worker, clock, "2026-11-02", "09:10", organisation=world.renovation)
    few = {
        user: _queries(login, getattr(world, user), NOVEMBER)
        for user in ("grid_worker", "community_admin", "street_officer")
    }
    few_org = _queries(login, world.handler, NOVEMBER, "dashboards:organisation")

    staff = {
        world.grid1: world.grid_worker,
        world.grid2: world.grid_worker2,
        world.grid3: world.other_admin,
    }
    buildings = {world.grid1: world.building1, world.grid2: world.building2, world.grid3: world.building3}
    kinds = categories(12)
    for i in range(24):
        grid = (world.grid1, world.grid2, world.grid3)[i % 3]
        day = f"2026-11-{2 + i % 20:02d}"
        case = new_case(world, clock, day, by=staff[grid], building=buildings[grid], category=kinds[i % 12])
        if i % 2:
            step(case, "resolve_on_spot", staff[grid], clock, day, "10:00", note="好了")
            if grid == world.grid1:
                callback(world, clock, case, f"2026-11-{3 + i % 20:02d}", "satisfied")
        else:
            step(case, "dispatch", staff[grid], clock, day, "09:10", organisation=world.renovation)
    many = {
        user: _queries(login, getattr(world, user), NOVEMBER)
        for user in ("grid_worker", "community_admin", "street_officer")
    }
    many_org = _queries(login, world.handler, NOVEMBER, "dashboards:organisation")

    assert many == few
    assert many_org == few_org
    assert max(few.values()) <= 20
    assert few_org <= 12
