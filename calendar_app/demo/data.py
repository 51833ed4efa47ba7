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
    "qi-museum": ("齐文化博物院", "370305100", "museum", "山东省淄博市临淄区齐都镇齐文化博物院", 800, 36.8549, 118.3465, True, DAYTIME_CLOSED_MONDAY),
    "nishan": ("尼山书院", "370305002", "library", "山东省淄博市临淄区雪宫街道尼山书院", 120, 36.8226, 118.3130, True, LIBRARY),
    "zijiang-reading": ("淄江城市书房", "370305003", "library", "山东省淄博市临淄区辛店街道淄江城市书房", 60, 36.8164, 118.3052, True, LIBRARY),
    "yuyanli": ("鱼盐里文旅街区", "370305003", "street", "山东省淄博市临淄区辛店街道鱼盐里文旅街区", 3000, 36.8110, 118.3201, False, STREET),
    "fangzheng2009": ("方正2009", "370305001", "street", "山东省淄博市临淄区闻韶街道方正2009文创街区", 2000, 36.8254, 118.2965, False, STREET),
    "youth-science": ("区青少年科技馆", "370305001", "museum", "山东省淄博市临淄区闻韶街道青少年科技馆", 300, 36.8201, 118.2907, True, DAYTIME_CLOSED_MONDAY),
    "niushan": ("牛山", "370305005", "scenic_area", "山东省淄博市临淄区齐陵街道牛山景区", 5000, 36.7722, 118.3580, False, {d: [("07:00", "18:00")] for d in range(7)}),
    "linzi-plaza": ("临淄区文化中心广场", "370305004", "plaza", "山东省淄博市临淄区稷下街道文化中心广场", 3000, 36.8190, 118.3078, False, SQUARE),
    "dongya-square": ("东崖村文化广场", "370305106201", "village_square", "山东省淄博市临淄区金山镇东崖村", 400, 36.7315, 118.3921, False, SQUARE),
    "daling-square": ("搭岭村文化广场", "370305106202", "village_square", "山东省淄博市临淄区金山镇搭岭村", 300, 36.7210, 118.4102, False, SQUARE),
    "hanjia-square": ("韩家村文化广场", "370305004201", "village_square", "山东省淄博市临淄区稷下街道韩家村", 350, 36.8402, 118.2851, False, SQUARE),
    "beishanxi-square": ("北山西村文化广场", "370305005201", "village_square", "山东省淄博市临淄区齐陵街道北山西村", 300, 36.7820, 118.3470, False, SQUARE),
    "liujiazhong-square": ("刘家终村文化广场", "370305005202", "village_square", "山东省淄博市临淄区齐陵街道刘家终村", 300, 36.7902, 118.3391, False, SQUARE),
    "xihe-square": ("西河村文化广场", "370305105201", "village_square", "山东省淄博市临淄区凤凰镇西河村", 350, 36.8801, 118.2402, False, SQUARE),
    "yueyang-tower": ("岳阳楼景区", "430602001", "scenic_area", "湖南省岳阳市岳阳楼区洞庭北路岳阳楼景区", 6000, 29.3800, 113.0935, False, {d: [("07:30", "18:30")] for d in range(7)}),
    "dongting-south": ("洞庭南路历史文化街区", "430602001", "street", "湖南省岳阳市岳阳楼区洞庭南路", 4000, 29.3702, 113.0930, False, STREET),
    "dongfeng-lake": ("东风湖", "430602003", "scenic_area", "湖南省岳阳市岳阳楼区东风湖生态公园", 5000, 29.3851, 113.1180, False, ALWAYS),
    "bianhe-street": ("汴河街", "430602001", "street", "湖南省岳阳市岳阳楼区汴河街", 5000, 29.3835, 113.0948, False, {d: [("10:00", "23:30")] for d in range(7)}),
    "port-heritage-park": ("岳阳港工业遗址公园", "430602002", "plaza", "湖南省岳阳市岳阳楼区岳阳港工业遗址公园", 3000, 29.3650, 113.0905, False, SQUARE),
    "confucius-temple": ("岳阳文庙", "430602004", "museum", "湖南省岳阳市岳阳楼区岳阳文庙", 500, 29.3622, 113.1105, False, DAYTIME_CLOSED_MONDAY),
    "cishi-pagoda": ("慈氏塔", "430602002", "scenic_area", "湖南省岳阳市岳阳楼区塔前街慈氏塔", 300, 29.3641, 113.0920, False, {d: [("08:00", "18:00")] for d in range(7)}),
    "zhuyin-street": ("竹荫街", "430602001001", "street", "湖南省岳阳市岳阳楼区竹荫街", 1500, 29.3740, 113.0952, False, STREET),
    "yuxiangzi": ("鱼巷子", "430602002001", "street", "湖南省岳阳市岳阳楼区鱼巷子", 1500, 29.3690, 113.0931, False, STREET),
    "chaxiangzi": ("茶巷子", "430602002", "street", "湖南省岳阳市岳阳楼区茶巷子", 1000, 29.3672, 113.0925, False, STREET),
    "dongting-road": ("洞庭路", "430602002", "street", "湖南省岳阳市岳阳楼区洞庭路", 2000, 29.3710, 113.0938, False, STREET),
    "yangloudong-square": ("羊楼洞村文化广场", "421281105201", "village_square", "湖北省咸宁市赤壁市赵李桥镇羊楼洞村", 1500, 29.6853, 113.8532, False, SQUARE),
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

# --- what the events say about themselves (issue 9, part 6) ----------------------------------------------

#: Films of the rural screenings: (title, year, kind, one line). Classics of Chinese cinema and opera film
#: that rural projection teams still carry; 《李二嫂改嫁》 is a 吕剧 film, Shandong's own opera.
FILMS = [
    ("李二嫂改嫁", 1957, "吕剧戏曲片", "山东吕剧经典，乡亲们最熟悉的唱段。"),
    ("天仙配", 1955, "黄梅戏戏曲片", "严凤英、王少舫主演的黄梅戏电影。"),
    ("五朵金花", 1959, "故事片", "大理三月街上的爱情故事，插曲传唱至今。"),
    ("刘三姐", 1960, "音乐故事片", "山歌对唱，老少皆宜。"),
    ("李双双", 1962, "故事片", "泼辣能干的农村妇女李双双的故事。"),
    ("小兵张嘎", 1963, "故事片", "白洋淀少年嘎子的抗战故事，适合亲子观看。"),
    ("冰山上的来客", 1963, "故事片", "帕米尔高原边防故事，《花儿为什么这样红》出自本片。"),
    ("英雄儿女", 1964, "故事片", "“为了胜利，向我开炮！”"),
    ("地道战", 1965, "故事片", "冀中平原地道战，一代人的露天电影记忆。"),
    ("城南旧事", 1983, "故事片", "林海音原著，小英子眼中的老北京。"),
    ("林家铺子", 1959, "故事片", "茅盾原著，江南小镇的一间铺子。"),
    ("马路天使", 1937, "故事片", "袁牧之编导，《四季歌》《天涯歌女》出自本片。"),
]

#: 洞庭渔火季: each themed night in its own words (keys are the titles in demo.load).
FISHING_DESCRIPTIONS = {
    "开幕式·渔火巡游": "渔船挂灯、渔民号子开场，花灯巡游队伍沿洞庭南路历史文化街区行进，点亮第五届渔火季。",
    "老街渔歌会": "洞庭渔歌、岳阳花鼓戏选段在洞庭路老街轮番登场，老渔民讲述湖上生活。",
    "鱼巷子渔家宴": "鱼巷子老字号摆出全鱼宴，现场展示洞庭湖鱼的十几种做法，可品尝。",
    "茶巷子茶事雅集": "君山银针冲泡演示、茶艺表演与茶巷子老茶号的故事分享。",
    "竹荫街非遗市集": "岳州扇、湘绣、洞庭渔网编织等非遗项目现场展示展销。",
    "汴河街夜市嘉年华": "汴河街美食夜市、街头乐队与互动游戏，一直开到深夜。",
    "东风湖灯光演艺": "湖面灯光秀与水上实景演出，讲述“洞庭天下水”的故事。",
    "慈氏塔祈福夜游": "夜游千年慈氏塔，讲解员带领了解塔的历史与洞庭湖水患治理。",
    "岳阳港工业遗址音乐会": "在老港口的吊机与仓库之间，本地乐队和合唱团的户外音乐会。",
    "文庙国学之夜": "岳阳文庙里的诗文诵读、古琴与汉服礼仪展示，适合亲子参加。",
    "岳阳楼诗词大会": "以《岳阳楼记》和历代咏楼诗词为题的现场诗词大会，观众可参与抢答。",
    "汴河街渔火灯会": "渔火灯组沿汴河街一字排开，灯谜竞猜与糖画、剪纸摊位。",
    "闭幕式·渔火晚会": "本届渔火季的闭幕晚会：优秀节目汇演与年度“渔火之星”颁奖。",
}

#: Acts each village is known for, drawn on by its galas (the seeds: 合唱团, 吕剧, 秧歌, 快板 ...).
_VILLAGE_ACTS = {
    "东崖村": ("金山镇合唱团", "山歌对唱", "吕剧《王小赶脚》选段"),
    "搭岭村": ("锣鼓队", "快板《夸夸咱的新村貌》", "广场舞"),
    "韩家村": ("稷下街道合唱团", "五音戏选段", "少儿舞蹈"),
    "北山西村": ("秧歌队", "三句半", "吕剧《李二嫂改嫁》选段"),
    "刘家终村": ("柳腔小戏", "相声", "村民时装秀"),
    "西河村": ("腰鼓队", "京剧清唱", "小品《邻里之间》"),
}
_SEASON_NOTES = {
    "春": "春耕之前的一场乡村联欢，邀请外出务工返乡的村民登台。",
    "夏": "晚饭后的乘凉晚会，自带扇子和小板凳。",
    "秋": "庆丰收主题，台前摆出今年的新粮和果蔬。",
    "冬": "冬闲时节的村晚，现场有热姜茶。",
}


def gala_description(village: str, season: str, index: int) -> str:
    """What one village's seasonal gala offers: its own acts, in a season's setting."""
    acts = _VILLAGE_ACTS[village]
    lead = acts[index % len(acts)]
    others = "、".join(a for a in acts if a != lead)
    return f"{village}{season}季村晚：{lead}领衔，另有{others}，节目均由村民自编自演。{_SEASON_NOTES[season]}"


#: The lunar days of the Spring Festival galas, in order from 除夕.
LUNAR_DAY_NAMES = ["除夕", "正月初一", "正月初二", "正月初三", "正月初四", "正月初五"]
_SPRING_NOTES = [
    "除夕下午场：写春联、送福字，散场后回家吃年夜饭、看央视春晚。",
    "大年初一的拜年晚会：全村老少互相拜年，舞龙舞狮开场。",
    "初二回娘家，外村亲戚一起来看戏。",
    "初三的戏曲专场：吕剧、五音戏名段轮番登台。",
    "初四的少儿专场：村里孩子们的歌舞与朗诵。",
    "初五“迎财神”专场：锣鼓、秧歌与有奖灯谜。",
]


def spring_gala_description(village: str, index: int) -> str:
    """A Spring Festival gala of the winter edition, one lunar day per village."""
    acts = "、".join(_VILLAGE_ACTS[village])
    return f"{village}春节村晚（{LUNAR_DAY_NAMES[index]}）：{_SPRING_NOTES[index]}节目有{acts}。"

#: The words under a program's name on its demo poster, by category.
CATEGORY_WORDS = {
    "performance": "乡村文艺 · 群众舞台", "opera": "戏曲惠民 · 送戏下乡", "film": "露天电影 · 每周放映",
    "heritage": "非遗体验 · 周末有“艺”", "fair": "非遗大集 · 年味市集", "festival": "节庆活动 · 老街夜游",
    "tourism": "月月有活动 · 四季四色",
}
