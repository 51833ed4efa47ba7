"""The demo year, drawn from the bureaus' own work reports (shared/seeds).

Names of towns, villages, venues and programs are the real ones the reports use; capacities,
coordinates and opening hours are plausible values for the demo, not survey data.
"""
from __future__ import annotations

# (code, name, kind, children) — codes of districts and cities are the national division codes.
AREAS = [
    ("370300", "淄博市", "city", [
        ("370305", "临淄区", "district", [
            ("370305001", "闻韶街道", "town", []),
            ("370305002", "雪宫街道", "town", []),
            ("370305003", "辛店街道", "town", []),
            ("370305004", "稷下街道", "town", [("370305004201", "韩家村", "village", [])]),
            ("370305005", "齐陵街道", "town", [
                ("370305005201", "北山西村", "village", []),
                ("370305005202", "刘家终村", "village", []),
            ]),
            ("370305100", "齐都镇", "town", []),
            ("370305101", "皇城镇", "town", []),
            ("370305102", "敬仲镇", "town", []),
            ("370305103", "朱台镇", "town", []),
            ("370305104", "金岭回族镇", "town", []),
            ("370305105", "凤凰镇", "town", [("370305105201", "西河村", "village", [])]),
            ("370305106", "金山镇", "town", [
                ("370305106201", "东崖村", "village", []),
                ("370305106202", "搭岭村", "village", []),
            ]),
        ]),
    ]),
    ("430600", "岳阳市", "city", [
        ("430602", "岳阳楼区", "district", [
            ("430602001", "岳阳楼街道", "town", [("430602001001", "竹荫街社区", "village", [])]),
            ("430602002", "洞庭街道", "town", [("430602002001", "鱼巷子社区", "village", [])]),
            ("430602003", "东茅岭街道", "town", []),
            ("430602004", "金鹗山街道", "town", []),
            ("430602005", "城东街道", "town", []),
            ("430602006", "南湖新区", "town", []),
        ]),
    ]),
    ("421200", "咸宁市", "city", [
        ("421281", "赤壁市", "district", [
            ("421281105", "赵李桥镇", "town", [("421281105201", "羊楼洞村", "village", [])]),
        ]),
    ]),
]

EVENING = [("08:30", "21:30")]
DAYTIME_CLOSED_MONDAY = {d: [("09:00", "17:00")] for d in range(1, 7)}
ALWAYS = {d: [("00:00", "23:59")] for d in range(7)}
LIBRARY = {d: [("09:00", "21:00")] for d in range(7)}
SQUARE = {d: [("06:00", "22:00")] for d in range(7)}
STREET = {d: [("09:00", "23:00")] for d in range(7)}

# key: (name, area code, kind, address, capacity, lat, lon, indoor, opening hours)
VENUES = {
    "qi-museum": ("齐文化博物院", "370305100", "museum", "临淄区齐都镇齐文化博物院", 800, 36.8549, 118.3465, True, DAYTIME_CLOSED_MONDAY),
    "nishan": ("尼山书院", "370305002", "library", "临淄区雪宫街道尼山书院", 120, 36.8226, 118.3130, True, LIBRARY),
    "zijiang-reading": ("淄江城市书房", "370305003", "library", "临淄区辛店街道淄江城市书房", 60, 36.8164, 118.3052, True, LIBRARY),
    "yuyanli": ("鱼盐里文旅街区", "370305003", "street", "临淄区辛店街道鱼盐里文旅街区", 3000, 36.8110, 118.3201, False, STREET),
    "fangzheng2009": ("方正2009", "370305001", "street", "临淄区闻韶街道方正2009文创街区", 2000, 36.8254, 118.2965, False, STREET),
    "youth-science": ("区青少年科技馆", "370305001", "museum", "临淄区闻韶街道青少年科技馆", 300, 36.8201, 118.2907, True, DAYTIME_CLOSED_MONDAY),
    "niushan": ("牛山", "370305005", "scenic_area", "临淄区齐陵街道牛山景区", 5000, 36.7722, 118.3580, False, {d: [("07:00", "18:00")] for d in range(7)}),
    "linzi-plaza": ("临淄区文化中心广场", "370305004", "plaza", "临淄区稷下街道文化中心广场", 3000, 36.8190, 118.3078, False, SQUARE),
    "dongya-square": ("东崖村文化广场", "370305106201", "village_square", "临淄区金山镇东崖村", 400, 36.7315, 118.3921, False, SQUARE),
    "daling-square": ("搭岭村文化广场", "370305106202", "village_square", "临淄区金山镇搭岭村", 300, 36.7210, 118.4102, False, SQUARE),
    "hanjia-square": ("韩家村文化广场", "370305004201", "village_square", "临淄区稷下街道韩家村", 350, 36.8402, 118.2851, False, SQUARE),
    "beishanxi-square": ("北山西村文化广场", "370305005201", "village_square", "临淄区齐陵街道北山西村", 300, 36.7820, 118.3470, False, SQUARE),
    "liujiazhong-square": ("刘家终村文化广场", "370305005202", "village_square", "临淄区齐陵街道刘家终村", 300, 36.7902, 118.3391, False, SQUARE),
    "xihe-square": ("西河村文化广场", "370305105201", "village_square", "临淄区凤凰镇西河村", 350, 36.8801, 118.2402, False, SQUARE),
    "yueyang-tower": ("岳阳楼景区", "430602001", "scenic_area", "岳阳楼区洞庭北路岳阳楼景区", 6000, 29.3800, 113.0935, False, {d: [("07:30", "18:30")] for d in range(7)}),
    "dongting-south": ("洞庭南路历史文化街区", "430602001", "street", "岳阳楼区洞庭南路", 4000, 29.3702, 113.0930, False, STREET),
    "dongfeng-lake": ("东风湖", "430602003", "scenic_area", "岳阳楼区东风湖生态公园", 5000, 29.3851, 113.1180, False, ALWAYS),
    "bianhe-street": ("汴河街", "430602001", "street", "岳阳楼区汴河街", 5000, 29.3835, 113.0948, False, {d: [("10:00", "23:30")] for d in range(7)}),
    "port-heritage-park": ("岳阳港工业遗址公园", "430602002", "plaza", "岳阳楼区岳阳港工业遗址公园", 3000, 29.3650, 113.0905, False, SQUARE),
    "confucius-temple": ("岳阳文庙", "430602004", "museum", "岳阳楼区岳阳文庙", 500, 29.3622, 113.1105, False, DAYTIME_CLOSED_MONDAY),
    "cishi-pagoda": ("慈氏塔", "430602002", "scenic_area", "岳阳楼区塔前街慈氏塔", 300, 29.3641, 113.0920, False, {d: [("08:00", "18:00")] for d in range(7)}),
    "zhuyin-street": ("竹荫街", "430602001001", "street", "岳阳楼区竹荫街", 1500, 29.3740, 113.0952, False, STREET),
    "yuxiangzi": ("鱼巷子", "430602002001", "street", "岳阳楼区鱼巷子", 1500, 29.3690, 113.0931, False, STREET),
    "chaxiangzi": ("茶巷子", "430602002", "street", "岳阳楼区茶巷子", 1000, 29.3672, 113.0925, False, STREET),
    "dongting-road": ("洞庭路", "430602002", "street", "岳阳楼区洞庭路", 2000, 29.3710, 113.0938, False, STREET),
    "yangloudong-square": ("羊楼洞村文化广场", "421281105201", "village_square", "赤壁市赵李桥镇羊楼洞村", 1500, 29.6853, 113.8532, False, SQUARE),
}

PROGRAMS = {
    # slug: (name, area code, category, colour, description)
    "siji-cunwan": ("四季村晚", "370305", "performance", "#c2410c",
                    "村民自编自演的乡村文艺晚会，一年四季各一届，各村在文化广场轮流举办。"),
    "zhiyin-cunwan": ("知音湖北·四季村晚", "421281", "performance", "#b45309",
                      "咸宁市“知音湖北·四季村晚”系列，赤壁市赵李桥镇羊楼洞村承办全国秋季“村晚”示范展示活动。"),
    "linzi-summer": ("临淄之夏", "370305", "performance", "#0f766e",
                     "夏季广场文化活动：6至8月每晚（周一除外）广场演出，另有灯会、乐队音乐节等特色专场。"),
    "yueji-youyue": ("月季有约", "430602", "tourism", "#15803d",
                     "服务消费“月季有约”行动：月月有活动，“四季四色”主题活动带动一片。"),
    "dongting-yuhuo": ("洞庭渔火季", "430602", "festival", "#ea580c",
                       "在老街老巷与景区举办的年度文旅节庆，全年专题活动12场以上。"),
    "xiqu-xiangcun": ("戏曲进乡村", "370305", "opera", "#9f1239",
                      "文化惠民戏曲演出送到各镇街村居，按镇街分配场次任务。"),
    "rural-film": ("农村公益电影放映", "370305", "film", "#1d4ed8",
                   "农村公益电影放映，每周在各镇街村居文化广场放映。"),
    "feiyi-saturday": ("非遗星期六", "370305", "heritage", "#7c3aed",
                       "尼山书院讲堂每周六的非遗体验课，让每个周末都有“艺”可学。"),
    "feiyi-daji": ("非遗大集", "370305", "fair", "#be123c",
                   "利用春节、元宵节等节日开展以“临”琅满目“淄”味十足为主题的非遗大集。"),
}

LINZI_TOWNS = ["370305001", "370305002", "370305003", "370305004", "370305005", "370305100",
               "370305101", "370305102", "370305103", "370305104", "370305105", "370305106"]

USERS = [
    # username, password, role, area code, display name
    ("admin", "demo-admin-2026", "admin", "370300", "平台管理员"),
    ("linzi_staff", "demo-staff-2026", "staff", "370305", "临淄区文旅局 王科长"),
    ("jinshan_coord", "demo-coord-2026", "coordinator", "370305106", "金山镇 李协调员"),
    ("jixia_coord", "demo-coord-2026", "coordinator", "370305004", "稷下街道 张协调员"),
    ("yueyanglou_staff", "demo-staff-2026", "staff", "430602", "岳阳楼区文旅广体局 刘科长"),
]
