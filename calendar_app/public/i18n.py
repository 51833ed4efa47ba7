"""UI language for the public pages: Chinese first, English on request.

A small in-code catalogue instead of Flask-Babel: the public site has a few hundred words of UI text,
and a catalogue in Python needs no compiled .mo files and no extra dependency on a fresh machine.
Message ids are the Chinese strings themselves, so a template reads naturally and an untranslated
id still shows correct Chinese. `tests/public/test_i18n.py` checks every id used in templates and in
this package has an English entry, and that English pages carry no Chinese UI text.

Only UI strings are translated; content (titles, descriptions, names of places) stays as entered.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import Flask, Response, g, request, url_for

from calendar_app.areas.models import AREA_KIND_LABELS
from calendar_app.events.models import OCCURRENCE_STATUSES
from calendar_app.programs.models import CATEGORIES
from calendar_app.venues.models import VENUE_KINDS

LANG_COOKIE = "lang"
ZH, EN = "zh-CN", "en"
#: `?lang=` values accepted, mapped to the `lang` attribute of the page.
LANG_PARAMS = {"zh": ZH, "zh-cn": ZH, "zh-CN": ZH, "en": EN}

EN_CATALOGUE: dict[str, str] = {
    # Subscribing, highlights and towns (issue 9)
    '共 {n} 场，点按展开': '{n} sessions; tap to expand',
    'Google 日历': 'Google Calendar',
    'OPPO / 一加 / realme': 'OPPO / OnePlus / realme',
    'iPhone / Mac': 'iPhone / Mac',
    'vivo / iQOO': 'vivo / iQOO',
    '{name} · {n} 个镇街': '{name} · {n} towns',
    '{name} · {n} 场': '{name} · {n} sessions',
    '{time} 起': 'from {time}',
    '一次性导入，之后的变更不会自动同步。': 'A one-off import: later changes will not reach your calendar.',
    '专场': 'Special night',
    '全区': 'Whole district',
    '全部活动': 'All events',
    '关注后续活动': 'Follow what comes next',
    '其他设备的订阅方法': 'How to subscribe on other devices',
    '其他设备：': 'Other devices:',
    '华为 / 荣耀': 'Huawei / Honor',
    '各品牌手机日历的操作步骤': "Steps for each brand's calendar app",
    '周末': 'Weekend',
    '在浏览器中再点「订阅到手机日历」': 'In the browser, tap "Subscribe in my phone\'s calendar" again',
    '复制下面的订阅地址：': 'Copy the subscription address below:',
    '安卓手机': 'Android phone',
    '小米 / Redmi': 'Xiaomi / Redmi',
    '开幕': 'Opening night',
    '微信内无法直接添加日历订阅。': 'Calendar subscriptions cannot be added from inside WeChat.',
    '手机应用不能直接添加网址：在电脑浏览器打开 Google 日历，「其他日历」旁的「+」→「通过网址添加」，粘贴地址；手机上的 Google 日历随后同步。': 'The phone app cannot add an address: open Google Calendar in a computer browser, "+" next to "Other calendars" → "From URL", paste the address; the phone app then syncs it.',
    '打开手机自带的「日历」应用，在设置中找到「添加日历账户」「订阅日历」或「通过网址添加」，粘贴地址。': 'Open your phone\'s own Calendar app, find "Add calendar account", "Subscribe to calendar" or "Add by URL" in its settings, and paste the address.',
    '找不到要订阅的日历': 'No such calendar to subscribe to',
    '找不到订阅入口时，可以安装开源应用 ICSx⁵ 订阅此地址，或下载日历文件一次性导入（之后的变更不会同步）。': 'If your calendar has no way to subscribe, the open-source app ICSx⁵ can subscribe to this address, or download the calendar file for a one-off import (later changes will not sync).',
    '按月查看': 'Month view',
    '推荐': 'Featured',
    '日历 → 右上角「⋮」→「设置」→「日历账户」→「添加账户」，选择订阅日历（ICS），粘贴地址。': 'Calendar → "⋮" top right → Settings → Calendar accounts → Add account, choose a subscribed (ICS) calendar, paste the address.',
    '日历 → 右上角「⋮」→「设置」→「账户」/「订阅」→ 通过网址添加，粘贴地址。': 'Calendar → "⋮" top right → Settings → Accounts / Subscriptions → add by URL, paste the address.',
    '日历 → 右上角「⋮」或「设置」→「日历账户」/「导入」→ 添加网络日历（订阅），粘贴地址。': 'Calendar → "⋮" or Settings top right → Calendar accounts / Import → add an online (subscribed) calendar, paste the address.',
    '日历 →「设置」→「日历账户」/「订阅」→ 通过网址添加，粘贴地址。': 'Calendar → Settings → Calendar accounts / Subscriptions → add by URL, paste the address.',
    '本周末与精选活动': 'This weekend and featured',
    '本页二维码：{url}': 'QR code of this page: {url}',
    '查看{name}的其他活动': 'More events in {name}',
    '查看全部场次': 'See every date',
    '查看未来30天的活动': 'See the next 30 days',
    '添加到 Google 日历（需能访问 Google）': 'Add to Google Calendar (needs access to Google)',
    '点右上角「···」': 'Tap "···" at the top right',
    '点按钮后，在弹出的窗口中点「订阅」，再点「添加」即可。': 'Tap the button, then "Subscribe" and "Add" in the window that opens.',
    '用手机扫码打开本页，可打印张贴。': 'Scan to open this page on a phone; print it for a notice board.',
    '电脑及其他': 'Computer and others',
    '知道了': 'Got it',
    '节假日与节气': 'Holidays and solar terms',
    '订阅': 'Subscribe',
    '订阅{name}的全部活动': 'Subscribe to every event in {name}',
    '订阅{name}的活动': 'Subscribe to events in {name}',
    '订阅「{name}」': 'Subscribe to "{name}"',
    '订阅你所在镇街的活动': "Subscribe to your town's events",
    '订阅全部活动': 'Subscribe to every event',
    '订阅到手机日历': "Subscribe in my phone's calendar",
    '订阅到手机日历后，新增、改期或取消的活动会自动同步，无需再次操作。': 'Once subscribed, new, moved or cancelled events reach your calendar by themselves.',
    '订阅到手机日历后，活动变更或取消会自动同步。': 'Once subscribed, changes and cancellations reach your calendar by themselves.',
    '订阅方法': 'How to subscribe',
    '订阅节假日与节气日历（休、班、传统节日、二十四节气）': 'Subscribe to the holiday calendar (days off, make-up working days, festivals, solar terms)',
    '订阅这些活动': 'Subscribe to these events',
    '请在浏览器中打开本页': 'Please open this page in your browser',
    '适用于 iPhone、iPad、Mac 和 Outlook。其他日历应用请复制订阅地址添加。': 'For iPhone, iPad, Mac and Outlook. Other calendar apps: copy the subscription address and add it.',
    '选择「在浏览器打开」': 'Choose "Open in browser"',
    '闭幕': 'Closing night',
    '（{n} 个镇街）': ' ({n} towns)',
    # Layout
    "文旅活动日历": "Culture & Tourism Events",
    "跳到主要内容": "Skip to main content",
    "近期活动": "Upcoming events",
    "月历": "Month",
    "主导航": "Main navigation",
    "各镇街文化活动信息以主办方发布为准": "Event details are as published by each organiser.",
    "返回首页": "Back to the home page",
    # Sharing and posters (templates/_macros/posters.html)
    "本地文旅活动：村晚、广场演出、戏曲、电影放映、非遗和节庆，可按镇街、品牌、场馆订阅到手机日历。":
        "Local culture and tourism events: village galas, plaza shows, opera, film screenings, heritage and "
        "festivals; subscribe your phone's calendar by town, program or venue.",
    "「{title}」海报": "Poster of {title}",
    "「{name}」近期活动与订阅": "Upcoming events of {name} and how to subscribe",
    "{name}近期文旅活动，可订阅到手机日历": "Upcoming events in {name}; subscribe your phone's calendar",
    # Errors (messages passed from the app's error handlers)
    "找不到该页面或资源": "Page or resource not found",
    "不支持该请求方法": "Method not allowed",
    "请求有误": "Bad request",
    "请求过于频繁，请稍后再试": "Too many requests; please try again later",
    "服务器内部错误，请稍后再试": "Internal server error; please try again later",
    "活动不存在或尚未发布": "This event does not exist or is not published",
    "品牌活动不存在": "No such program",
    "活动届次不存在": "No such edition",
    "区域不存在": "No such area",
    "场馆不存在": "No such venue",
    "参数有误：{name}": "Invalid parameter: {name}",
    # Home: windows and filters
    "今天": "Today",
    "明天": "Tomorrow",
    "本周末": "This weekend",
    "未来30天": "Next 30 days",
    "时间范围": "When",
    "筛选": "Filter",
    "筛选活动": "Filter events",
    "区域（区县、镇街）": "District or town",
    "全部区域": "All areas",
    "品牌活动": "Program",
    "全部品牌": "All programs",
    "类别": "Category",
    "全部类别": "All categories",
    "场馆": "Venue",
    "全部场馆": "All venues",
    "费用": "Price",
    "不限": "Any",
    "免费": "Free",
    "需购票或报名": "Ticketed or registration",
    "关键词": "Keyword",
    "活动名称、场馆或介绍": "Title, venue or description",
    "清除筛选": "Clear filters",
    "{n} 场活动": "{n} events",
    "这段时间暂无符合条件的活动。": "No events match in this period.",
    "试试清除筛选条件或查看未来30天。": "Try clearing the filters or looking at the next 30 days.",
    "更多活动": "More events",
    "{date}的活动": "Events on {date}",
    "按品牌浏览": "Browse by program",
    # Occurrence lists
    "全天": "All day",
    "已取消": "Cancelled",
    "已调整": "Rescheduled",
    "按计划": "Scheduled",
    "需报名": "Registration",
    "近期场次": "Upcoming dates",
    "暂无即将举行的场次。": "No upcoming dates.",
    "仅显示最近 {n} 场；订阅日历可获取全部场次。": "Showing the next {n} only; subscribe to get every date.",
    # Day facts
    "休": "Off",
    "班": "Work",
    "法定节假日": "Public holiday",
    "调休上班日": "Make-up working day",
    "{name}调休上班": "Working day ({name})",
    "{name}放假": "{name} holiday",
    # Month view
    "上个月": "Previous month",
    "下个月": "Next month",
    "本月节日与假期": "Festivals and holidays this month",
    "每日活动数": "Events per day",
    "{n} 场": "{n}",
    "当天 {n} 场活动": "{n} events this day",
    "月历图例": "Legend",
    "节日：{name}": "Festival: {name}",
    "节气：{name}": "Solar term: {name}",
    "法定节假日：{name}": "Public holiday: {name}",
    "调休上班日：{name}": "Make-up working day: {name}",
    "本月暂无节日或假期信息。": "No festivals or holidays this month.",
    "尚无该年份的法定节假日数据。": "No official holiday data for this year yet.",
    # Event page
    "时间": "When",
    "地点": "Where",
    "地图": "Map",
    "高德地图": "Amap",
    "百度地图": "Baidu Maps",
    "主办方": "Organiser",
    "联系方式": "Contact",
    "容纳人数": "Capacity",
    "{n} 人": "{n} people",
    "报名或购票": "Register or buy tickets",
    "所属区域": "Area",
    "活动介绍": "About",
    "本场已取消": "This date is cancelled",
    "本场时间已调整": "This date has been rescheduled",
    "本活动已取消": "This event is cancelled",
    "原定时间：{when}": "Originally: {when}",
    "原因：{reason}": "Reason: {reason}",
    "活动安排有变更": "The schedule of this event has changed",
    "加入日历": "Add to calendar",
    "下载日历文件（.ics）": "Download calendar file (.ics)",
    "添加到 Google 日历": "Add to Google Calendar",
    "短信或邮件提醒我": "Remind me by SMS or email",
    "日历订阅不方便？也可以留下手机号或邮箱，活动开始前提醒您，时间地点有变时及时通知。": (
        "Calendar subscription not an option? Leave a mobile number or an email address: we remind you before "
        "each event and tell you at once when its time or place changes."),
    "该场次已不存在，以下显示最近的场次。": "That date no longer exists; showing the nearest one.",
    "系列活动的其他场次": "Other dates of this series",
    "订阅该品牌的全部活动": "Subscribe to all events of this program",
    "订阅「{name}」的全部活动": "Subscribe to all events of “{name}”",
    "查看该区域的活动": "Events in this area",
    # Subscribe block
    "订阅日历": "Subscribe",
    "在手机或电脑日历中订阅，活动变更或取消会自动同步。":
        "Subscribe in your phone or computer calendar; changes and cancellations update automatically.",
    "用日历应用订阅（webcal）": "Subscribe with a calendar app (webcal)",
    "订阅地址": "Feed address",
    "复制": "Copy",
    "已复制": "Copied",
    "复制失败，请手动选择地址": "Copy failed; please select the address",
    "添加到 Google 日历（订阅）": "Add to Google Calendar (subscribe)",
    "订阅二维码": "Subscription QR code",
    "订阅二维码：{url}": "QR code for {url}",
    "扫码订阅，可打印张贴。": "Scan to subscribe; print it on a poster.",
    "下载二维码（SVG）": "Download QR code (SVG)",
    # Program / edition / area / venue pages
    "届次": "Editions",
    "主题：{theme}": "Theme: {theme}",
    "所属品牌：": "Program: ",
    "下辖区域": "Areas within",
    "地址": "Address",
    "开放时间": "Opening hours",
    "场馆类型": "Venue type",
    "室内": "Indoor",
    "室外": "Outdoor",
    "上级区域": "Part of",
    "{first}至{last}": "{first}–{last}",
    # Language switch
    "English": "English",
    "中文": "中文",
    "切换语言": "Language",
}

CATEGORY_EN = {
    "performance": "Performance", "opera": "Opera", "film": "Film screening", "heritage": "Intangible heritage",
    "fair": "Fair", "festival": "Festival", "reading": "Reading & talks", "exhibition": "Exhibition",
    "sports": "Sports & fitness", "tourism": "Leisure & tourism", "other": "Other",
}
OCCURRENCE_STATUS_EN = {"scheduled": "Scheduled", "moved": "Rescheduled", "cancelled": "Cancelled"}
VENUE_KIND_EN = {
    "plaza": "Plaza", "village_square": "Village square", "theatre": "Theatre", "library": "Library / reading room",
    "museum": "Museum", "scenic_area": "Scenic area", "street": "Street", "other": "Other",
}
AREA_KIND_EN = {"city": "City", "district": "District", "town": "Town / sub-district", "village": "Village / community"}
#: Festivals, solar terms and holiday names as calendar_app.festivals names them.
DAY_NAME_EN = {
    "春节": "Spring Festival", "元宵节": "Lantern Festival", "端午节": "Dragon Boat Festival", "七夕": "Qixi",
    "中秋节": "Mid-Autumn Festival", "重阳节": "Double Ninth", "腊八节": "Laba Festival", "除夕": "New Year's Eve",
    "清明": "Qingming", "清明节": "Qingming", "元旦": "New Year's Day", "劳动节": "Labour Day", "国庆节": "National Day",
    "立春": "Start of Spring", "雨水": "Rain Water", "惊蛰": "Awakening of Insects", "春分": "Spring Equinox",
    "谷雨": "Grain Rain", "立夏": "Start of Summer", "小满": "Grain Buds", "芒种": "Grain in Ear",
    "夏至": "Summer Solstice", "小暑": "Minor Heat", "大暑": "Major Heat", "立秋": "Start of Autumn",
    "处暑": "End of Heat", "白露": "White Dew", "秋分": "Autumn Equinox", "寒露": "Cold Dew",
    "霜降": "Frost's Descent", "立冬": "Start of Winter", "小雪": "Minor Snow", "大雪": "Major Snow",
    "冬至": "Winter Solstice", "小寒": "Minor Cold", "大寒": "Major Cold",
}
WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def current_lang() -> str:
    """The language of this request: `?lang=` first, then the cookie, else Chinese."""
    lang = g.get("lang")
    if lang is None:
        lang = (LANG_PARAMS.get(request.args.get("lang", ""))
                or LANG_PARAMS.get(request.cookies.get(LANG_COOKIE, ""), ZH))
        g.lang = lang
    return lang


def gettext(msgid: str, **values) -> str:
    """The UI string `msgid` (Chinese) in the request's language, formatted with `values`."""
    text = EN_CATALOGUE.get(msgid, msgid) if current_lang() == EN else msgid
    return text.format(**values) if values else text


def _labelled(key: str, zh: dict[str, str], en: dict[str, str]) -> str:
    return en.get(key, zh.get(key, key)) if current_lang() == EN else zh.get(key, key)


def category_label(key: str) -> str:
    return _labelled(key, CATEGORIES, CATEGORY_EN)


def status_label(key: str) -> str:
    return _labelled(key, OCCURRENCE_STATUSES, OCCURRENCE_STATUS_EN)


def venue_kind_label(key: str) -> str:
    return _labelled(key, VENUE_KINDS, VENUE_KIND_EN)


def area_kind_label(key: str) -> str:
    return _labelled(key, AREA_KIND_LABELS, AREA_KIND_EN)


def day_name(name: str) -> str:
    """A festival, solar term or holiday name; unknown names (a new holiday) stay as given."""
    return DAY_NAME_EN.get(name, name) if current_lang() == EN else name


def weekday_short(index: int) -> str:
    """Column heading of a Monday-first week: 一 … 日 / Mon … Sun."""
    return WEEKDAYS_EN[index] if current_lang() == EN else WEEKDAYS_ZH[index]


def lunar_short(lunar: str) -> str:
    """The lunar day for a calendar cell (十三), or the month's name on its first day (十月, 闰六月)."""
    day = lunar[-2:]
    return lunar[:-2] if day == "初一" else day


def opening_hours_lines(slots) -> list[str]:
    """Opening hours with runs of weekdays that share the same slots folded: 周二至周日 09:00–17:00."""
    by_day: dict[int, tuple[str, ...]] = {}
    for slot in slots:
        by_day.setdefault(slot.weekday, ())
        by_day[slot.weekday] += (f"{slot.opens_at:%H:%M}–{slot.closes_at:%H:%M}",)
    lines, day = [], 0
    while day < 7:
        if day not in by_day:
            day += 1
            continue
        last = day
        while last + 1 in by_day and by_day[last + 1] == by_day[day]:
            last += 1
        label = weekday_name(day) if last == day else gettext("{first}至{last}", first=weekday_name(day),
                                                                last=weekday_name(last))
        lines.append(f"{label} {', '.join(by_day[day])}")
        day = last + 1
    return lines


def weekday_name(index: int) -> str:
    return WEEKDAYS_EN[index] if current_lang() == EN else f"周{WEEKDAYS_ZH[index]}"


def format_date(d: date, *, with_year: bool = False) -> str:
    """11月21日 周六 / Sat 21 Nov (with the year when asked)."""
    if current_lang() == EN:
        text = f"{WEEKDAYS_EN[d.weekday()]} {d.day} {MONTHS_EN[d.month - 1][:3]}"
        return f"{text} {d.year}" if with_year else text
    text = f"{d.month}月{d.day}日 {weekday_name(d.weekday())}"
    return f"{d.year}年{text}" if with_year else text


def month_title(year: int, month: int) -> str:
    """2026年11月 / November 2026."""
    return f"{MONTHS_EN[month - 1]} {year}" if current_lang() == EN else f"{year}年{month}月"


def switch_url(lang: str) -> str:
    """This page's URL with `lang` set, keeping the other query parameters.

    The path is built from the matched route, never copied from the request: on a 404 the raw path is
    the visitor's (`/\\evil.example` would make `/\\evil.example?lang=en`, which browsers read as
    `//evil.example`). A request that matched no route switches on the home page.
    """
    code = "en" if lang == EN else "zh"
    if request.url_rule is None or request.endpoint is None:
        return url_for("public.home", lang=code)
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", code))
    return f"{url_for(request.endpoint, **(request.view_args or {}))}?{urlencode(args)}"


def init_app(app: Flask) -> None:
    """Pick the language per request, remember a `?lang=` choice in a cookie, expose helpers to templates."""

    @app.before_request
    def _pick_language() -> None:
        g.pop("lang", None)
        current_lang()

    @app.after_request
    def _remember_language(response: Response) -> Response:
        if response.mimetype != "text/html":
            # Feeds, JSON and images have no language, and a shared cache may store them: a cookie
            # there would be handed to everyone who gets the cached copy.
            return response
        chosen = LANG_PARAMS.get(request.args.get("lang", ""))
        if chosen and request.cookies.get(LANG_COOKIE) != ("en" if chosen == EN else "zh"):
            response.set_cookie(LANG_COOKIE, "en" if chosen == EN else "zh", max_age=365 * 24 * 3600,
                                samesite="Lax", httponly=True, secure=request.is_secure)
        # Same URL, different language by cookie: caches must key on it.
        response.vary.add("Cookie")
        response.headers.setdefault("Content-Language", g.get("lang", ZH))
        return response

    app.jinja_env.globals.update(
        _=gettext, current_lang=current_lang, category_label=category_label, status_label=status_label,
        venue_kind_label=venue_kind_label, area_kind_label=area_kind_label, day_name=day_name,
        format_date=format_date, month_title=month_title, weekday_short=weekday_short, lunar_short=lunar_short,
        opening_hours_lines=opening_hours_lines, switch_url=switch_url, LANG_EN=EN,
    )
