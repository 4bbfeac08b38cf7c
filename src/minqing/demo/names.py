"""Pools for fictional Chinese names, phone numbers and shop names.

Names are a common surname plus given-name characters typical of the person's birth decade, drawn at random:
they are nobody in particular. The real cadres of the field study are named in the press; the demo never
uses their names.
"""

import random


def _words(text: str) -> list[str]:
    return text.split()


# Common surnames, most frequent first (weights follow the national frequency only roughly).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫"
)
# Extra weight for surnames that are far more common in one place than nationally.
LOCAL_SURNAMES = {
    "queli": "孔孔孔孔颜颜孟曾",  # 曲阜: the Kong and Yan clans
    "kongmu": "刘黄胡袁钟邹熊廖简敖",  # 新余 / 江西
    "redian": "",
}

# Given names by sex and generation (0: born before 1960, 1: 1960s–70s, 2: 1980s–90s, 3: 2000 on).
GIVEN = {
    # born before 1960
    "F0": _words(
        "秀兰 桂英 淑珍 玉兰 凤英 秀英 桂兰 淑芬 玉梅 秀珍 素芬 凤兰 桂珍 淑兰 玉珍 秀云 金凤 翠兰 春华 "
        "淑华 桂芳 秀芳 玉芝 凤霞 玉芬 秀琴 桂香 淑琴 玉凤 翠英"
    ),
    "M0": _words(
        "建国 建华 国强 德福 长林 振华 志刚 永福 玉林 德胜 树林 保国 卫东 国庆 春生 福山 庆和 文斌 宝山 "
        "立新 铁军 志明 洪亮 广田 德明 世昌 凤山 有才 连生 德贵"
    ),
    # born 1960–1979
    "F1": _words(
        "丽 红 艳 敏 静 芳 娟 霞 燕 丽娟 红梅 艳华 秀丽 晓红 春燕 海燕 丽萍 美玲 雪梅 亚琴 慧 英 "
        "凤琴 丽华 晓梅 桂红 玉红 卫红"
    ),
    "M1": _words(
        "伟 强 军 勇 杰 涛 斌 刚 海 峰 建军 永强 海涛 立军 志勇 国华 晓东 卫国 春雷 宏伟 振宇 文亮 "
        "建平 红军 向东 长江 学军 志强"
    ),
    # born 1980–1999
    "F2": _words(
        "婷 静 丹 倩 雪 晶 佳 婷婷 欣 颖 晓燕 丹丹 佳慧 雨婷 思琪 倩倩 梦瑶 晓雪 媛媛 蕾 璐 "
        "莹 悦 晓琳 文静 雅楠"
    ),
    "M2": _words(
        "磊 鹏 超 浩 宇 亮 帅 鑫 凯 俊杰 浩然 子豪 明轩 宇航 天宇 博文 晨 杨 旭 晓峰 志远 "
        "俊 彬 家豪 文博 一帆"
    ),
    # born 2000 and later
    "F3": _words(
        "子涵 欣怡 梓涵 诗涵 一诺 可馨 雨桐 语汐 若曦 沐晴 思彤 佳怡 梓萱 安琪 芷若 乐瑶 悦彤 语嫣 欣妍 梓琪"
    ),
    "M3": _words(
        "浩宇 子轩 宇轩 梓睿 俊熙 一鸣 子墨 沐阳 奕辰 铭泽 皓轩 睿泽 嘉懿 宇辰 梓豪 博涛 锦程 思远 俊辰 明哲"
    ),
}

MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 "
    "176 177 178 180 181 182 183 185 186 187 188 189 191 199"
)


def generation(birth_year: int) -> int:
    if birth_year < 1960:
        return 0
    if birth_year < 1980:
        return 1
    if birth_year < 2000:
        return 2
    return 3


def surname(rng: random.Random, place: str) -> str:
    local = LOCAL_SURNAMES.get(place, "")
    if local and rng.random() < 0.3:
        return rng.choice(local)
    # Triangular bias towards the front of the list: the common surnames come up more often.
    return SURNAMES[int(rng.triangular(0, len(SURNAMES), 0))]


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    return rng.choice(GIVEN[f"{sex}{generation(birth_year)}"])


# --- 阙里 merchants -----------------------------------------------------------------------------------
SHOP_PREFIXES = _words(
    "杏坛 尼山 洙泗 鲁源 古城 礼门 泮池 六艺 德馨 明德 和顺 福源 阙里 鲁韵 论语 仁和 "
    "书香 春秋 诗礼 泗水 鼓楼 金声 玉振 知味 乡里 老街"
)
SHOP_KINDS = {
    "餐饮": _words("面馆 煎饼铺 熏豆腐坊 水饺馆 家常菜馆 糁汤馆 烧饼铺 茶社 包子铺 羊汤馆 小吃店 咖啡馆"),
    "文创": _words("书画社 文创馆 楷雕坊 碑帖拓片店 汉服馆 书局 篆刻坊 砚台坊 毛笔店"),
    "住宿": _words("客栈 民宿 宾馆 青年旅舍 四合院客舍"),
    "零售": _words("特产店 便利店 土产商行 茶叶店 超市 糕点铺 煎饼礼盒店"),
    "生活服务": _words("理发店 照相馆 裁缝铺 修鞋铺 药店 洗衣店"),
}
