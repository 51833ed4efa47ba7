"""`flask demo load`: a realistic current year built through the same services the app uses.

Every object is looked up by a natural key before it is created, so loading twice adds nothing.
Past occurrences get reported attendance from a generator seeded by the occurrence itself.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from calendar_app.accounts.models import User
from calendar_app.accounts.services import create_user
from calendar_app.areas.models import Area
from calendar_app.areas.services import create_area
from calendar_app.db import utcnow
from calendar_app.demo import data
from calendar_app.events.models import Event, Occurrence
from calendar_app.events.services import EventData, create_event, edit_occurrence, report_attendance, set_status
from calendar_app.extensions import db
from calendar_app.festivals.services import sync_official_days
from calendar_app.programs.models import Assignment, Edition, Program
from calendar_app.programs.services import create_assignment, create_edition, create_program
from calendar_app.venues.models import Venue
from calendar_app.venues.services import create_venue


@dataclass
class Ctx:
    year: int
    now: datetime
    areas: dict[str, Area] = field(default_factory=dict)
    venues: dict[str, Venue] = field(default_factory=dict)
    programs: dict[str, Program] = field(default_factory=dict)
    editions: dict[tuple[str, str], Edition] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    #: Gala nights per venue key: the town's weekly series skip them (one venue, one thing at a time).
    gala_days: dict[str, list[date]] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def _areas(ctx: Ctx) -> None:
    def walk(nodes, parent: Area | None):
        for code, name, kind, children in nodes:
            area = db.session.scalar(select(Area).where(Area.code == code))
            if area is None:
                area = create_area(kind=kind, code=code, name=name, parent_id=parent.id if parent else None)
                ctx.count("areas")
            ctx.areas[code] = area
            walk(children, area)

    walk(data.AREAS, None)


def _venues(ctx: Ctx) -> None:
    for key, (name, area_code, kind, address, capacity, lat, lon, indoor, hours) in data.VENUES.items():
        area = ctx.areas[area_code]
        venue = db.session.scalar(select(Venue).where(Venue.name == name, Venue.area_id == area.id))
        if venue is None:
            venue = create_venue(name=name, area_id=area.id, kind=kind, address=address, capacity=capacity,
                                 latitude=lat, longitude=lon, is_indoor=indoor, opening_hours=hours)
            ctx.count("venues")
        ctx.venues[key] = venue
    # Every 临淄 town-street has a 综合文化站 (the seeds' "5+N" centres) where indoor shows go.
    for i, code in enumerate(data.LINZI_TOWNS):
        area = ctx.areas[code]
        name = f"{area.name}综合文化站"
        venue = db.session.scalar(select(Venue).where(Venue.name == name, Venue.area_id == area.id))
        if venue is None:
            venue = create_venue(name=name, area_id=area.id, kind="theatre", address=f"山东省淄博市临淄区{area.name}综合文化站",
                                 capacity=200, latitude=round(36.78 + 0.01 * (i % 6), 4),
                                 longitude=round(118.26 + 0.02 * (i // 2), 4), is_indoor=True,
                                 opening_hours={d: [("09:00", "21:00")] for d in range(7)})
            ctx.count("venues")
        ctx.venues[f"station-{code}"] = venue


def _programs(ctx: Ctx) -> None:
    for slug, (name, area_code, category, colour, description) in data.PROGRAMS.items():
        program = db.session.scalar(select(Program).where(Program.slug == slug))
        if program is None:
            program = create_program(slug=slug, name=name, area_id=ctx.areas[area_code].id, category=category,
                                     colour=colour, description=description)
            ctx.count("programs")
        ctx.programs[slug] = program


def _edition(ctx: Ctx, slug: str, name: str, starts_on: date, ends_on: date, **kwargs) -> Edition:
    program = ctx.programs[slug]
    edition = db.session.scalar(select(Edition).where(Edition.program_id == program.id, Edition.name == name))
    if edition is None:
        edition = create_edition(program_id=program.id, name=name, starts_on=starts_on, ends_on=ends_on, **kwargs)
        ctx.count("editions")
    ctx.editions[(slug, name)] = edition
    return edition


def _assignment(ctx: Ctx, edition: Edition, town_code: str, target: int, due_on: date, coordinators=()) -> None:
    area = ctx.areas[town_code]
    exists = db.session.scalar(select(Assignment.id).where(Assignment.edition_id == edition.id, Assignment.area_id == area.id))
    if exists is None:
        create_assignment(edition_id=edition.id, area_id=area.id, target_events=target, due_on=due_on,
                          coordinator_ids=[u.id for u in coordinators])
        ctx.count("assignments")


def _event(ctx: Ctx, key: str, *, title: str, area: str, venue: str | None, start: datetime | date,
           end: datetime | date, program: str | None = None, edition: str | None = None, status: str = "published",
           **kwargs) -> Event:
    """Create (once) the event with the stable demo UID `key`, via the events service."""
    uid = f"demo-{key}@{current_app.config['ICAL_UID_DOMAIN']}"
    event = db.session.scalar(select(Event).where(Event.uid == uid))
    if event is not None:
        return event
    kwargs["description"] = _naming_the_city(ctx.areas[area], title, kwargs.get("description"))
    program_obj = ctx.programs[program] if program else None
    edition_obj = ctx.editions[(program, edition)] if edition else None
    venue_obj = ctx.venues[venue] if venue else None
    payload = EventData(
        title=title, area_id=ctx.areas[area].id, starts_local=start, ends_local=end,
        venue_id=venue_obj.id if venue_obj else None,
        program_id=program_obj.id if program_obj else None,
        edition_id=edition_obj.id if edition_obj else None,
        category=kwargs.pop("category", program_obj.category if program_obj else "other"),
        capacity=kwargs.pop("capacity", venue_obj.capacity if venue_obj else None),
        status="draft",
        **kwargs,
    )
    event, _warnings = create_event(payload, now=ctx.now)
    event.uid = uid
    if status != "draft":
        set_status(event, status, now=ctx.now)
        event.sequence = 0  # a freshly loaded demo event has not been revised in anyone's calendar yet
        event.submitted_at = ctx.now - timedelta(days=2)
        if status == "published":
            event.published_at = ctx.now - timedelta(days=1)
    ctx.count("events")
    return event


def _naming_the_city(area: Area, title: str, description: str | None) -> str:
    """The description, opening with the city, district and town when neither names the city yet.

    A deployment may hold several cities in several provinces: a visitor must tell 临淄 from 岳阳 at once.
    """
    chain = {a.kind: a for a in db.session.scalars(select(Area).where(Area.id.in_(area.ancestor_ids())))}
    city = chain.get("city")
    text = description or ""
    if city is None or city.name in title or city.name in text:
        return text or None
    place = "".join(chain[k].name for k in ("city", "district") if k in chain)
    town = chain.get("town")
    tag = f"【{place}·{town.name}】" if town is not None else f"【{place}】"
    return tag + text if text else tag + title


def _at(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm))


def _build_events(ctx: Ctx) -> None:
    y = ctx.year
    users = {u.username: u for u in db.session.scalars(select(User))}

    # 四季村晚: one edition per season; each village hosts an evening gala on its square.
    seasons = [
        ("春季村晚", date(y, 3, 1), date(y, 5, 31), "春", date(y, 4, 18)),
        ("夏季村晚", date(y, 6, 1), date(y, 8, 31), "夏", date(y, 7, 11)),
        ("秋季村晚", date(y, 9, 1), date(y, 11, 30), "秋", date(y, 10, 17)),
        ("冬季村晚", date(y, 12, 1), date(y + 1, 2, 28), "冬", date(y, 12, 5)),
    ]
    villages = [("dongya-square", "370305106201", "东崖村"), ("daling-square", "370305106202", "搭岭村"),
                ("hanjia-square", "370305004201", "韩家村"), ("beishanxi-square", "370305005201", "北山西村"),
                ("liujiazhong-square", "370305005202", "刘家终村"), ("xihe-square", "370305105201", "西河村")]
    for name, starts, ends, season, first_saturday in seasons:
        edition_name = f"{y}{name}"
        galas = len(villages) * (2 if season == "冬" else 1)  # winter adds the Spring Festival galas
        _edition(ctx, "siji-cunwan", edition_name, starts, ends, theme=f"{season}满乡村", target_events=galas,
                 target_attendance=galas * 300)
        for i, (venue, area, village) in enumerate(villages):
            day = first_saturday + timedelta(days=7 * (i // 2) + (i % 2))
            ctx.gala_days.setdefault(venue, []).append(day)
            _event(ctx, f"cunwan-{y}-{season}-{area}", title=f"{y}{season}季村晚·{village}专场", area=area, venue=venue,
                   start=_at(day, 19), end=_at(day, 21, 30), program="siji-cunwan", edition=edition_name,
                   organiser=f"{village}村民委员会", description=data.gala_description(village, season, i),
                   contact="0533-7211000")
    # 春节 galas of the winter edition: from 除夕 to 初五 each village takes an evening (afternoon on 除夕,
    # when families gather for the 年夜饭 and the national 春晚), then one 元宵 gala for the whole town.
    spring_day = _lunar_start(y + 1, "春节", 0).date()
    winter = f"{y}冬季村晚"
    for i, (venue, area, village) in enumerate(villages):
        day = spring_day + timedelta(days=i - 1)
        start, end = (_at(day, 14), _at(day, 16, 30)) if i == 0 else (_at(day, 19), _at(day, 21, 30))
        _event(ctx, f"cunwan-{y + 1}-spring-{area}", title=f"{y + 1}春节村晚·{village}{data.LUNAR_DAY_NAMES[i]}专场",
               area=area, venue=venue, start=start, end=end, program="siji-cunwan", edition=winter,
               organiser=f"{village}村民委员会", description=data.spring_gala_description(village, i),
               contact="0533-7211000")
    chibi = f"{y}全国秋季“村晚”示范展示活动"
    _edition(ctx, "zhiyin-cunwan", chibi, date(y, 9, 1), date(y, 11, 30), theme="知音湖北", target_events=1,
             target_attendance=3000)
    _event(ctx, f"zhiyin-cunwan-{y}-autumn", title="全国秋季“村晚”示范展示活动·羊楼洞村", area="421281105201",
           venue="yangloudong-square", start=_at(date(y, 10, 24), 19), end=_at(date(y, 10, 24), 21, 30),
           program="zhiyin-cunwan", edition=chibi, organiser="咸宁市赤壁市文化和旅游局",
           description="咸宁市赤壁市赵李桥镇羊楼洞村承办的全国秋季“村晚”示范展示活动：青砖茶制作技艺展示、"
                       "赤壁青砖茶采茶舞、提琴戏《茶乡新曲》、村民合唱《知音湖北》，万里茶道起点古镇的一场乡村晚会。")

    # 临淄之夏: every evening June–August except Mondays, plus special nights.
    summer = f"{y}临淄之夏"
    _edition(ctx, "linzi-summer", summer, date(y, 6, 1), date(y, 8, 31), theme="情沐齐风", target_events=80,
             target_attendance=60000)
    _event(ctx, f"linzi-summer-{y}-plaza", title="临淄之夏·广场文艺演出", area="370305004", venue="linzi-plaza",
           start=_at(date(y, 6, 2), 19, 30), end=_at(date(y, 6, 2), 21, 30), program="linzi-summer", edition=summer,
           rrule=f"FREQ=DAILY;BYDAY=TU,WE,TH,FR,SA,SU;UNTIL={y}0831T235959Z", organiser="临淄区文化和旅游局",
           description="每晚（周一除外）在文化中心广场的群众文艺演出，由各镇街合唱团、优秀团体轮流登台。")
    _event(ctx, f"linzi-summer-{y}-lantern", title="临淄之夏·灯会专场", area="370305003", venue="yuyanli",
           start=_at(date(y, 7, 18), 19, 30), end=_at(date(y, 7, 18), 22), program="linzi-summer", edition=summer,
           description="鱼盐里文旅街区的花灯专场：齐文化主题灯组、非遗花灯制作展示和灯谜竞猜。")
    _event(ctx, f"linzi-summer-{y}-band", title="临淄之夏·乐队音乐节", area="370305001", venue="fangzheng2009",
           start=_at(date(y, 8, 15), 19), end=_at(date(y, 8, 15), 22, 30), program="linzi-summer", edition=summer,
           is_free=False, registration_url="https://example.org/linzi-band-festival",
           description="方正2009文创街区的户外乐队音乐节：本地原创乐队与高校乐队轮番演出，需在线购票入场。")

    # 月季有约 (岳阳楼区): a monthly rendezvous plus the 四季四色 themes as editions.
    _event(ctx, "yueji-monthly", title="月季有约·月度文旅活动", area="430602001", venue="dongting-south",
           start=_at(date(y, 1, 3), 19), end=_at(date(y, 1, 3), 21), program="yueji-youyue",
           rrule="FREQ=MONTHLY;BYDAY=1SA", description="月月有活动：每月第一个周六晚在洞庭南路历史文化街区。")
    themes = [
        (f"{y}春·蝶舞洞庭", date(y, 4, 1), date(y, 5, 31), "蝶舞洞庭", "#16a34a"),
        (f"{y}夏·踏浪洞庭", date(y, 6, 1), date(y, 7, 31), "踏浪洞庭", "#2563eb"),
        (f"{y}秋·放歌洞庭", date(y, 9, 1), date(y, 10, 31), "放歌洞庭", "#ea580c"),
        (f"{y}冬·食在洞庭", date(y, 12, 1), date(y + 1, 2, 28), "食在洞庭", "#dc2626"),
    ]
    for name, starts, ends, theme, colour in themes:
        _edition(ctx, "yueji-youyue", name, starts, ends, theme=theme, theme_colour=colour, target_events=8,
                 target_attendance=20000)
    _event(ctx, f"yueji-{y}-butterfly", title="“蝶舞洞庭”主题露营节", area="430602001", venue="yueyang-tower",
           start=_at(date(y, 4, 4), 9), end=_at(date(y, 4, 4), 17), program="yueji-youyue", edition=themes[0][0],
           rrule=f"FREQ=WEEKLY;BYDAY=SA,SU;UNTIL={y}0531T235959Z",
           description="春季周末在岳阳楼景区草坪露营：观洞庭湖景、放风筝、亲子手作，“蝶舞洞庭”春季主题。")
    _event(ctx, f"yueji-{y}-waves", title="“踏浪洞庭”群众体育健身活动", area="430602002", venue="port-heritage-park",
           start=_at(date(y, 6, 6), 18, 30), end=_at(date(y, 6, 6), 21), program="yueji-youyue", edition=themes[1][0],
           category="sports", rrule=f"FREQ=WEEKLY;BYDAY=SA;UNTIL={y}0731T235959Z",
           description="花样滑板、花样轮滑、花样自行车以及业余足球俱乐部比赛。")
    _event(ctx, f"yueji-{y}-song", title="“放歌洞庭”非遗文化展演", area="430602001", venue="zhuyin-street",
           start=_at(date(y, 10, 1), 19), end=_at(date(y, 10, 1), 21), program="yueji-youyue", edition=themes[2][0],
           category="heritage", rrule="FREQ=DAILY;COUNT=7",
           description="国庆期间每晚在竹荫街：岳阳花鼓戏、巴陵戏选段和洞庭渔歌，非遗传承人现场演唱。")
    _event(ctx, "yueji-mid-autumn", title="“放歌洞庭”中秋赏月晚会", area="430602001", venue="yueyang-tower",
           start=_at(date(y, 9, 25), 19, 30), end=_at(date(y, 9, 25), 21, 30), program="yueji-youyue",
           edition=themes[2][0], lunar_rule="FESTIVAL=中秋节",
           description="中秋之夜在岳阳楼下赏月：诗词吟诵、古琴与民乐演奏，“放歌洞庭”秋季主题。")
    _event(ctx, f"yueji-{y}-food", title="“食在洞庭”美食购物周末", area="430602003", venue="dongfeng-lake",
           start=_at(date(y, 12, 5), 17), end=_at(date(y, 12, 5), 22), program="yueji-youyue", edition=themes[3][0],
           category="fair", rrule=f"FREQ=WEEKLY;BYDAY=SA,SU;UNTIL={y + 1}0228T235959Z",
           description="特色烧烤、年货采购，线上网络直播。")

    # 洞庭渔火季: a numbered edition with 12+ themed events across old streets and scenic areas.
    fishing = f"第五届“洞庭渔火季”（{y}）"
    _edition(ctx, "dongting-yuhuo", fishing, date(y, 9, 19), date(y, 12, 20), theme="渔火映洞庭", target_events=12,
             target_attendance=100000)
    fishing_events = [
        ("开幕式·渔火巡游", "dongting-south", date(y, 9, 19)), ("老街渔歌会", "dongting-road", date(y, 9, 26)),
        ("鱼巷子渔家宴", "yuxiangzi", date(y, 10, 3)), ("茶巷子茶事雅集", "chaxiangzi", date(y, 10, 10)),
        ("竹荫街非遗市集", "zhuyin-street", date(y, 10, 17)), ("汴河街夜市嘉年华", "bianhe-street", date(y, 10, 24)),
        ("东风湖灯光演艺", "dongfeng-lake", date(y, 10, 31)), ("慈氏塔祈福夜游", "cishi-pagoda", date(y, 11, 7)),
        ("岳阳港工业遗址音乐会", "port-heritage-park", date(y, 11, 14)), ("文庙国学之夜", "confucius-temple", date(y, 11, 21)),
        ("岳阳楼诗词大会", "yueyang-tower", date(y, 11, 28)), ("汴河街渔火灯会", "bianhe-street", date(y, 12, 5)),
        ("闭幕式·渔火晚会", "dongting-south", date(y, 12, 19)),
    ]
    for i, (title, venue, day) in enumerate(fishing_events):
        area = ctx.venues[venue].area.code
        _event(ctx, f"yuhuo-{y}-{i:02d}", title=f"洞庭渔火季·{title}", area=area, venue=venue, start=_at(day, 19),
               end=_at(day, 21, 30), program="dongting-yuhuo", edition=fishing, organiser="岳阳市岳阳楼区文旅广体局",
               description=data.FISHING_DESCRIPTIONS[title])

    # 戏曲进乡村 and 农村公益电影放映: per-town quotas, a weekly series per town.
    opera = f"{y}戏曲进乡村"
    film = f"{y}农村公益电影放映"
    opera_edition = _edition(ctx, "xiqu-xiangcun", opera, date(y, 3, 1), date(y, 11, 30), theme="统一镇街主题",
                             target_events=1540, target_attendance=150000)
    film_edition = _edition(ctx, "rural-film", film, date(y, 1, 1), date(y, 12, 31), target_events=4452,
                            target_attendance=292000)
    town_venue = {"370305106": "dongya-square", "370305004": "hanjia-square", "370305005": "beishanxi-square",
                  "370305105": "xihe-square", "370305003": "zijiang-reading"}
    weekdays = ["MO", "TU", "WE", "TH", "FR", "SA"]
    for i, town in enumerate(data.LINZI_TOWNS):
        coords = [u for u in (users.get("jinshan_coord"), users.get("jixia_coord"))
                  if u is not None and u.area.code == town]
        _assignment(ctx, opera_edition, town, 128 if i < 4 else 129, date(y, 11, 30), coords)
        _assignment(ctx, film_edition, town, 371, date(y, 12, 31), coords)
        name = ctx.areas[town].name
        venue = town_venue.get(town, f"station-{town}")
        day = weekdays[i % 6]
        skipped = [f"{d.isoformat()}T19:00" for d in ctx.gala_days.get(venue, [])]  # the 村晚 gala has the square
        _event(ctx, f"opera-{y}-{town}", title=f"戏曲进乡村·{name}", area=town, venue=venue,
               start=_first(date(y, 3, 1), day, 19), end=_first(date(y, 3, 1), day, 21), program="xiqu-xiangcun",
               edition=opera, exdates=[x for x in skipped if date.fromisoformat(x[:10]).weekday() == _WEEKDAYS.index(day)], rrule=f"FREQ=WEEKLY;BYDAY={day};UNTIL={y}1130T235959Z", organiser=f"{name}综合文化站",
               description="吕剧、京剧、五音戏经典选段惠民演出。")
        # Screenings on two weekday evenings other than the opera's: weekend evenings at the village
        # squares belong to the 村晚 galas, and one venue holds one thing at a time.
        film_days = ",".join([d for d in ("TU", "FR", "WE", "TH") if d != day][:2] if i % 2 == 0
                             else [d for d in ("WE", "TH", "TU", "FR") if d != day][:2])
        # One series per town and two months, each with its film: the projection team's copies rotate.
        for month in range(1, 13, 2):
            title_, year_, kind_, note_ = data.FILMS[(i + month // 2) % len(data.FILMS)]
            first = min(_first(date(y, month, 1), d, 18, 30) for d in film_days.split(","))
            last = (date(y, month + 2, 1) if month < 11 else date(y + 1, 1, 1)) - timedelta(days=1)
            _event(ctx, f"film-{y}-{town}-{month:02d}", title=f"农村公益电影放映·{name}：《{title_}》", area=town,
                   venue=venue, start=first, end=first + timedelta(hours=2), program="rural-film", edition=film,
                   rrule=f"FREQ=WEEKLY;BYDAY={film_days};UNTIL={last:%Y%m%d}T235959Z", organiser=f"{name}综合文化站",
                   description=f"{month}–{month + 1}月放映《{title_}》（{year_}年{kind_}）：{note_}"
                               "露天放映，免费观看，请自带座椅。")

    # 非遗星期六: every Saturday afternoon at 尼山书院, open-ended.
    _event(ctx, "feiyi-saturday", title="非遗星期六·尼山书院讲堂", area="370305002", venue="nishan",
           start=_first(date(y, 1, 1), "SA", 14, 30), end=_first(date(y, 1, 1), "SA", 16, 30), program="feiyi-saturday",
           rrule="FREQ=WEEKLY;BYDAY=SA", capacity=60,
           description="剪纸、葫芦烙画、齐国故事——每个周末都有“艺”可学。适合亲子参加。")

    # 非遗大集 on lunar festivals: the Gregorian date moves every year.
    spring = datetime(y, 2, 17, 9)  # 春节 of the demo year's lunar year (the rule carries it forward)
    _event(ctx, "feiyi-daji-spring", title="非遗大集·春节", area="370305003", venue="yuyanli",
           start=_lunar_start(y, "春节", 9), end=_lunar_start(y, "春节", 16), program="feiyi-daji",
           lunar_rule="FESTIVAL=春节;DAYS=3", description="“临”琅满目“淄”味十足：非遗项目展示展销。")
    _event(ctx, "feiyi-daji-lantern", title="非遗大集·元宵节灯谜会", area="370305001", venue="fangzheng2009",
           start=_lunar_start(y, "元宵节", 18), end=_lunar_start(y, "元宵节", 21, 30), program="feiyi-daji",
           lunar_rule="FESTIVAL=元宵节",
           description="元宵节晚上在方正2009：猜灯谜、赏花灯、品元宵，非遗传承人现场扎灯。")
    del spring

    # A coordinator's draft awaiting review, and one already submitted.
    _event(ctx, f"jinshan-{y}-draft", title="金山镇合唱团汇报演出", area="370305106", venue="dongya-square",
           start=_at(date(y, 12, 12), 19), end=_at(date(y, 12, 12), 20, 30), status="draft", category="performance",
           description="金山镇合唱团年终汇报演出，曲目有《沂蒙山小调》《我和我的祖国》等。")
    _event(ctx, f"jinshan-{y}-submitted", title="搭岭村迎新春书画展", area="370305106202", venue="daling-square",
           start=_at(date(y, 12, 26), 9), end=_at(date(y, 12, 26), 16), status="submitted", category="exhibition",
           description="搭岭村书画爱好者的迎新春作品展，现场写春联、送福字。")


_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _first(start: date, byday: str, hh: int, mm: int = 0) -> datetime:
    """The first date on or after `start` that falls on iCal weekday `byday`, at hh:mm."""
    target = _WEEKDAYS.index(byday)
    day = start + timedelta(days=(target - start.weekday()) % 7)
    return _at(day, hh, mm)


def _lunar_start(year: int, festival: str, hh: int, mm: int = 0) -> datetime:
    from calendar_app.festivals.lunar import festival_date

    return _at(festival_date(festival, year), hh, mm)


def _overrides(ctx: Ctx) -> None:
    """What happens to a real series: a rained-off evening, a moved screening, reported attendance."""
    summer = db.session.scalar(select(Event).where(Event.uid.startswith("demo-linzi-summer-")).order_by(Event.id))
    if summer is not None:
        occ = db.session.scalar(select(Occurrence).where(Occurrence.event_id == summer.id).order_by(Occurrence.starts_at).offset(20))
        if occ is not None and occ.status == "scheduled":
            edit_occurrence(occ, cancelled=True, reason="因雷阵雨取消", now=ctx.now)
    saturday = db.session.scalar(select(Event).where(Event.uid.startswith("demo-feiyi-saturday")))
    if saturday is not None:
        upcoming = db.session.scalars(select(Occurrence).where(Occurrence.event_id == saturday.id, Occurrence.starts_at > ctx.now)
                                      .order_by(Occurrence.starts_at).limit(3)).all()
        if len(upcoming) == 3:
            moved, cancelled = upcoming[1], upcoming[2]
            if moved.status == "scheduled":
                edit_occurrence(moved, starts_at=moved.starts_at + timedelta(hours=1), reason="讲堂布展，推迟一小时开始",
                                now=ctx.now)
            if cancelled.status == "scheduled":
                edit_occurrence(cancelled, cancelled=True, reason="尼山书院设备检修，本周暂停", now=ctx.now)
    # Attendance for every past, held occurrence that has none yet.
    past = db.session.scalars(
        select(Occurrence).join(Occurrence.event).where(
            Occurrence.ends_at < ctx.now - UNREPORTED_DAYS, Occurrence.attendance.is_(None),
            Occurrence.status != "cancelled",
            Event.status == "published")
    ).all()
    for occ in past:
        rng = random.Random(f"{occ.event.uid}|{occ.original_starts_at.isoformat()}")
        capacity = occ.event.capacity or 300
        report_attendance(occ, int(capacity * rng.uniform(0.35, 0.95)), now=ctx.now)
        ctx.count("attendance_reports")


def _posters(ctx: Ctx) -> None:
    """Every program and edition gets a poster drawn from its colour and name (nothing fetched)."""
    from calendar_app.media import drawing, images
    from calendar_app.media.services import set_poster, store_poster
    from calendar_app.media.storage import storage

    def place(area: Area) -> str:
        chain = db.session.scalars(select(Area).where(Area.id.in_(area.ancestor_ids())).order_by(Area.path)).all()
        return "".join(a.name for a in chain if a.kind in ("city", "district"))

    def give(obj, title: str, colour: str, subtitle: str, footer: str) -> None:
        if obj.poster_key:
            return
        png = drawing.draw_poster(title, colour, subtitle=subtitle, footer=footer)
        # Drawn the same way every time: when a previous load stored these exact bytes, reuse the files.
        key = f"{images.content_hash(png)}-960x1280"
        if not all(storage().exists(images.file_name(key, size, ext)) for size in images.SIZES for ext in images.FORMATS):
            key = store_poster(png)
        set_poster(obj, key)
        ctx.count("posters")

    for program in ctx.programs.values():
        give(program, program.name, program.colour, data.CATEGORY_WORDS.get(program.category, ""),
             f"{place(program.area)}文化和旅游局")
    for (slug, name), edition in ctx.editions.items():
        program = ctx.programs[slug]
        subtitle = name + (f" · {edition.theme}" if edition.theme else "")
        give(edition, program.name, edition.theme_colour or program.colour, subtitle, f"{place(program.area)}文化和旅游局")


#: The last few days' reports are still owed, as in real life: the dashboards show what waits.
UNREPORTED_DAYS = timedelta(days=4)


def load_demo(year: int | None = None, now: datetime | None = None) -> dict[str, int]:
    """Fill the database with the demo year; return how many objects of each kind were created."""
    now = now or utcnow()
    ctx = Ctx(year=year or now.year, now=now)
    sync_official_days([ctx.year - 1, ctx.year, ctx.year + 1])
    _areas(ctx)
    _venues(ctx)
    _programs(ctx)
    for username, password, role, area_code, display in data.USERS:
        if db.session.scalar(select(User.id).where(User.username == username)) is None:
            # The demo passwords are published in the README: only the demo may use them (never production).
            create_user(username=username, password=password, role=role, area_id=ctx.areas[area_code].id,
                        display_name=display, check_policy=False)
            ctx.count("users")
    _build_events(ctx)
    _posters(ctx)
    _overrides(ctx)
    db.session.flush()
    return ctx.created


def counts() -> dict[str, int]:
    """Rows per kind, for the CLI's summary and the closing note."""
    from calendar_app.festivals.models import OfficialDay

    models = {"areas": Area, "venues": Venue, "programs": Program, "editions": Edition, "assignments": Assignment,
              "events": Event, "occurrences": Occurrence, "users": User, "official_days": OfficialDay}
    return {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in models.items()}
