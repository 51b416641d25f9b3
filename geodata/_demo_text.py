"""Fictitious people, ID numbers, phones, address spellings and texts for the demo data.

Everything here is invented: names are drawn from a short list of common
characters, ID numbers are random with a valid GB 11643 check character,
phone numbers are random digits behind common mobile prefixes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

Rng = np.random.Generator

REF_DATE = dt.date(2026, 10, 31)  # ages are as of this day, whatever day the demo is made as of

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘"
    "杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文俊斌宇浩凯鹏辉峰鑫淑珍凤琴云丹梅莉婷"
    "雪琳颖德福海林"
)

ID_REGION = "110105"  # 北京市朝阳区
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
MOBILE_PREFIXES = tuple(f"13{d}" for d in range(10)) + tuple(f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)) + tuple(
    f"18{d}" for d in range(10)
)

CN_DIGITS = "零一二三四五六七八九"
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# Special-group labels and how often each is drawn for a household that has any.
GROUP_WEIGHTS: dict[str, float] = {
    "独居老人": 0.14, "空巢老人": 0.14, "残疾人": 0.10, "低保户": 0.06, "低保": 0.04,
    "特困人员": 0.03, "失业人员": 0.08, "刑满释放": 0.02, "社区矫正": 0.02, "流动人口": 0.12,
    "重点帮扶": 0.05, "军烈属": 0.05, "大病家庭": 0.07, "留守儿童": 0.04,
}
# Pairs that make no sense on one household (alone vs couple; two spellings of one status).
EXCLUSIVE = (("独居老人", "空巢老人"), ("低保户", "低保"), ("独居老人", "留守儿童"), ("低保户", "特困人员"),
             ("低保", "特困人员"))
# Groups due a visit every month (六必访), as in the default visit_rules (docs/DEFINITIONS.md).
VISIT_DUE = ("低保户", "低保", "特困人员", "独居老人", "残疾人", "失业人员", "流动人口", "重点帮扶")
GROUP_SEPARATORS = ("、", "，", ";", "；", "/", " ")

# Household address styles 1..8 and their weights (see geodata/demo/README.md).
ADDRESS_STYLE_WEIGHTS = (0.30, 0.10, 0.10, 0.10, 0.10, 0.10, 0.10, 0.10)
# Building-level styles (1, 2, 3) for complaints and hazards.
BUILDING_STYLE_WEIGHTS = (0.60, 0.25, 0.15)
ARABIC_COMPOUND = {"甘露园南里一区": "甘露园南里1区", "甘露园南里二区": "甘露园南里2区", "晨光里一区": "晨光里1区",
                   "晨光里二区": "晨光里2区"}


def pick(rng: Rng, items: tuple[str, ...] | list[str] | str) -> str:
    """One item drawn uniformly."""
    return items[int(rng.integers(len(items)))]


def person_name(rng: Rng) -> str:
    """A fictitious Chinese name: surname plus one or two given-name characters."""
    given = pick(rng, GIVEN) + (pick(rng, GIVEN) if rng.random() < 0.65 else "")
    return pick(rng, SURNAMES) + given


def id_check_char(body17: str) -> str:
    """GB 11643 check character of the first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS, strict=True)) % 11]


def id_number(rng: Rng, *, age_min: int, age_max: int, used: dict[str, None]) -> str:
    """A unique synthetic 18-character ID number with a valid check character."""
    first = dt.date(REF_DATE.year - age_max, 1, 1).toordinal()
    last = dt.date(REF_DATE.year - age_min, 12, 31).toordinal()
    while True:
        birth = dt.date.fromordinal(int(rng.integers(first, last + 1)))
        seq = int(rng.integers(0, 499)) * 2 + int(rng.integers(1, 3))  # 1..998; odd = male
        body = f"{ID_REGION}{birth:%Y%m%d}{seq:03d}"
        number = body + id_check_char(body)
        if number not in used:
            used[number] = None
            return number


def break_checksum(rng: Rng, number: str) -> str:
    """The same ID number with a wrong check character."""
    wrong = [c for c in ID_CHECK if c != number[-1]]
    return number[:-1] + wrong[int(rng.integers(len(wrong)))]


def phone(rng: Rng, used: dict[str, None]) -> str:
    """A unique 11-digit mobile number starting 13, 15 or 18."""
    while True:
        number = pick(rng, MOBILE_PREFIXES) + f"{int(rng.integers(0, 10**8)):08d}"
        if number not in used:
            used[number] = None
            return number


def special_groups(rng: Rng) -> list[str]:
    """One to three compatible special-group labels."""
    labels = list(GROUP_WEIGHTS)
    weights = np.array([GROUP_WEIGHTS[g] for g in labels])
    k = int(rng.choice([1, 2, 3], p=[0.70, 0.25, 0.05]))
    chosen: list[str] = []
    for label in rng.choice(labels, size=8, p=weights / weights.sum()):
        label = str(label)
        clash = any(label in pair and other in pair for pair in EXCLUSIVE for other in chosen)
        if label not in chosen and not clash:
            chosen.append(label)
        if len(chosen) == k:
            break
    return chosen


def join_groups(rng: Rng, groups: list[str]) -> str:
    """Labels joined the way clerks type them: one separator, sometimes a mix."""
    if len(groups) > 2 and rng.random() < 0.3:
        return groups[0] + pick(rng, GROUP_SEPARATORS) + pick(rng, GROUP_SEPARATORS).join(groups[1:])
    return pick(rng, GROUP_SEPARATORS).join(groups)


def cn_count(n: int) -> str:
    """Counting numeral for 1..99: 3 三, 12 十二, 23 二十三."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def cn_digits(n: int) -> str:
    """Digit-by-digit numeral: 501 五零一."""
    return "".join(CN_DIGITS[int(c)] for c in str(n))


def fullwidth(n: int) -> str:
    """Full-width digits: 501 ５０１."""
    return str(n).translate(_FULLWIDTH)


def flat_address(rng: Rng, style: int, compound: str, b: int, u: int, r: int) -> str:
    """One flat written in household address style 1..8, sometimes with stray spaces."""
    parts: list[str]
    if style == 1:
        parts = [compound, f"{b}号楼", f"{u}单元", f"{r}"]
    elif style == 2:
        parts = ["北京市朝阳区", compound, f"{b}号楼", f"{u}单元", f"{r}"]
    elif style == 3:
        parts = ["朝阳区", compound, f"{b}栋", f"{u}门", f"{r}室"]
    elif style == 4:
        unit = "两" if u == 2 and rng.random() < 0.5 else cn_count(u)
        parts = [compound, f"{cn_count(b)}号楼", f"{unit}单元", cn_digits(r)]
    elif style == 5:
        parts = [compound, f"{b}#{u}-{r}"]
    elif style == 6:
        parts = [compound, f"{b}-{u}-{r}"]
    elif style == 7:
        parts = [compound, f"{fullwidth(b)}号楼", f"{fullwidth(u)}单元", fullwidth(r)]
    elif rng.random() < 0.5:
        parts = [compound, f"{b}幢", f"{u}单元", f"{r}号"]
    else:
        parts = [compound, f"{b}座", f"{u}单元", f"{r}"]
    return _with_stray_spaces(rng, parts)


def building_address(rng: Rng, style: int, compound: str, b: int) -> str:
    """A building written in style 1, 2 or 3 without unit or room."""
    parts = {1: [compound, f"{b}号楼"], 2: ["北京市朝阳区", compound, f"{b}号楼"], 3: ["朝阳区", compound, f"{b}栋"]}
    return _with_stray_spaces(rng, parts[style])


def _with_stray_spaces(rng: Rng, parts: list[str]) -> str:
    draw = rng.random()
    if draw < 0.02:  # spaces between the parts, as typed by hand
        return " ".join(parts)
    if draw < 0.03:  # leading or trailing blanks left by copy and paste
        return " " + "".join(parts) if rng.random() < 0.5 else "".join(parts) + "  "
    return "".join(parts)


COMPLAINT_TEXTS: dict[str, tuple[str, ...]] = {
    "噪音扰民": ("{b}号楼{r}住户{s}某夜间装修噪音", "{b}号楼楼下广场舞音响声音过大", "{b}号楼附近夜间施工噪音扰民",
              "{b}号楼{r}楼上住户深夜噪音影响休息", "{b}号楼{r}住户{s}某家中经常聚会喧哗"),
    "物业管理": ("{b}号楼电梯经常故障，物业维修不及时", "{b}号楼楼道灯损坏无人维修", "{b}号楼单元门禁损坏",
              "物业费收支不透明，要求公示", "{b}号楼屋顶漏雨物业不处理"),
    "环境卫生": ("{b}号楼垃圾桶满溢未及时清运", "{b}号楼楼道堆放杂物", "{b}号楼旁绿地宠物粪便无人清理",
              "{b}号楼{r}住户{s}某在楼道堆放废品"),
    "停车管理": ("{b}号楼门前车辆乱停占用消防通道", "外来车辆占用{b}号楼旁车位", "{b}号楼旁僵尸车长期占位",
              "{b}号楼前地锁私占公共车位"),
    "供暖": ("{b}号楼{r}暖气不热，室温低于18度", "{b}号楼暖气管道漏水", "{b}号楼{r}住户反映暖气不热"),
    "违章建设": ("{b}号楼{r}住户{s}某私搭乱建阳台", "{b}号楼一层住户私自破墙开门", "{b}号楼楼顶私建彩钢房"),
    "邻里纠纷": ("{b}号楼{r}住户{s}某与楼下因漏水发生纠纷", "{b}号楼住户饲养犬只扰邻", "{b}号楼{r}住户{s}某占用楼道"),
    "市政设施": ("{b}号楼前路灯不亮", "{b}号楼附近井盖松动", "{b}号楼门前路面破损积水"),
}
UNMATCHED_PLACES = ("北门", "南门外", "东侧路边", "西侧便道", "小广场", "地下车库入口")
UNMATCHED_TEXTS = {"停车管理": "{p}车辆乱停，影响通行", "环境卫生": "{p}垃圾堆放无人清理", "市政设施": "{p}路灯不亮",
                   "噪音扰民": "{p}夜间有人喧哗"}
VISIT_NOTES = ("入户走访，身体状况良好", "入户走访，了解近期生活情况", "电话联系，家中一切正常", "提醒冬季用电用气安全",
               "宣传防范电信诈骗", "家中无人，已留联系卡", "了解就业需求，推荐招聘信息", "协助办理补贴申请材料",
               "反映楼道灯不亮，已转物业", "询问就医情况，提供家庭医生联系方式")


def complaint_text(rng: Rng, category: str, b: int) -> str:
    """A short work-order text, sometimes naming a fictitious resident (王某)."""
    room = int(rng.integers(1, 19)) * 100 + int(rng.integers(1, 5))
    return pick(rng, COMPLAINT_TEXTS[category]).format(b=b, r=room, s=pick(rng, SURNAMES))
