"""Fictitious names, ID numbers, phones, compound names and address spellings for the synthetic city, vectorised.

The vocabularies and the address styles are those of the demo (geodata/_demo_text.py); here they are drawn
for a million rows at a time with numpy, so each function takes arrays and returns an object array of str.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "geodata"))
import _demo_text as txt

from etl.address import canonical_text

Rng = np.random.Generator
Strs = npt.NDArray[np.object_]
Ints = npt.NDArray[np.int64]

# Compound names: {stem}{type}{position}, and when a compound has sections, {一|二|三|四}区 after that.
# Stems avoid the characters an address parser takes for something else (市 省 区 街道 楼 座 栋 幢 号 门 室 户);
# a few carry Chinese numerals on purpose (八里, 三里, 十里, 六里, 百子, 四季, 九龙, 八角) to exercise the
# numeral rewriting (八里庄 and 8里庄 are one place).
STEMS = (
    "甘露", "团结", "红庙", "望京", "劲松", "潘家", "双井", "呼家", "垡头", "小关", "安贞", "和平", "惠新", "芍药",
    "太阳", "来广", "东坝", "金盏", "豆各", "高碑", "管庄", "常营", "定福", "平房", "姚家", "石佛", "孙河", "崔各",
    "黑庄", "将台", "酒仙", "驼房", "大山", "花家", "南磨", "农光", "华威", "左家", "麦子", "亮马", "枣营",
    "水碓", "延静", "核桃", "光华", "金台", "关东", "西坝", "广渠", "松榆", "弘善", "龙潭", "方庄", "蒲黄", "芳古",
    "紫芳", "丽泽", "白纸", "广安", "马连", "莲花", "玉泉", "万寿", "永定", "德胜", "安华", "和义", "育新", "清河",
    "知春", "双榆", "万柳", "稻香", "田村", "鲁谷", "古城", "苹果", "金顶", "杨庄", "富力", "华纺", "京旺", "兴隆",
    "朝来", "胜古", "樱花", "柳芳", "幸福", "安苑", "慧忠", "林萃", "北沙", "南湖", "利泽", "祁家", "秀水", "青年", "双桥",
    "八里", "三里", "十里", "六里", "百子", "四季", "九龙", "八角",
)
TYPES = ("园", "苑", "家园", "花园", "新村", "嘉园")
POSITIONS = ("南里", "北里", "东里", "西里", "中里", "")
SECTIONS_P = (0.50, 0.28, 0.14, 0.08)  # a base name has 1, 2, 3 or 4 sections (一区 .. 四区)
FAKE_SECTIONS = range(5, 10)  # 甘露园南里九区: a section no base name has
_FORBIDDEN = re.compile(r"市|省|区|街道|楼|座|栋|幢|号|门|室|户|[0-9#\-\s]")

def canonical(name: str) -> str:
    """A compound name as the ETL's normaliser keys it: two compounds must never share this form."""
    return canonical_text(name)


def base_names(rng: Rng) -> list[str]:
    """Every {stem}{type}{position} in a random order."""
    for stem in STEMS:
        if _FORBIDDEN.search(stem) or stem.startswith(("北京", "中国", "朝阳")):
            raise RuntimeError(f"stem {stem} would confuse an address parser")
    names = [s + t + p for s in dict.fromkeys(STEMS) for t in TYPES for p in POSITIONS]
    return [names[int(i)] for i in rng.permutation(len(names))]


def cn_number(n: int) -> str:
    """Counting numeral as a clerk writes it: 3 三, 12 十二, 105 一百零五."""
    if n < 100:
        return txt.cn_count(n)
    if n >= 1000:
        return txt.cn_digits(n)
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return txt.CN_DIGITS[hundreds] + "百"
    return txt.CN_DIGITS[hundreds] + "百" + ("零" + txt.CN_DIGITS[rest] if rest < 10 else
                                               (txt.CN_DIGITS[1] + txt.cn_count(rest) if rest < 20 else
                                                txt.cn_count(rest)))


class Tables:
    """Numbers 0..n-1 as text in each spelling, for fancy indexing."""

    def __init__(self, n: int) -> None:
        self.num = np.array([str(i) for i in range(n)], dtype=object)
        self.cn = np.array([cn_number(i) if i else "零" for i in range(n)], dtype=object)
        self.cn_digits = np.array([txt.cn_digits(i) for i in range(n)], dtype=object)
        self.fullwidth = np.array([txt.fullwidth(i) for i in range(n)], dtype=object)


def person_names(rng: Rng, n: int) -> Strs:
    """Surname plus one or two given-name characters (as txt.person_name)."""
    sur = np.array(list(txt.SURNAMES), dtype=object)[rng.integers(0, len(txt.SURNAMES), n)]
    given = np.array(list(txt.GIVEN), dtype=object)
    g1 = given[rng.integers(0, len(given), n)]
    g2 = np.where(rng.random(n) < 0.65, given[rng.integers(0, len(given), n)], "")
    return sur + g1 + g2


def _unique_draw(draw, n: int) -> Ints:  # type: ignore[no-untyped-def]
    """Integer keys from draw(k), redrawing the later of any duplicates until all n are distinct."""
    keys = draw(np.arange(n))
    while True:
        _, first = np.unique(keys, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        if not dup.any():
            return keys
        idx = np.flatnonzero(dup)
        keys[idx] = draw(idx)


def id_numbers(rng: Rng, age_min: Ints, age_max: Ints) -> Strs:
    """Unique 18-character ID numbers with a valid GB 11643 check character; birth dates by age range."""
    n = len(age_min)
    epoch = np.datetime64("1970-01-01", "D")
    year = txt.REF_DATE.year
    first = ((year - age_max - 1970).astype("M8[Y]").astype("M8[D]") - epoch).astype(np.int64)
    last = ((year - age_min + 1 - 1970).astype("M8[Y]").astype("M8[D]") - epoch).astype(np.int64) - 1

    def draw(idx: Ints) -> Ints:
        day = first[idx] + np.floor(rng.random(len(idx)) * (last[idx] - first[idx] + 1)).astype(np.int64)
        seq = rng.integers(0, 499, len(idx)) * 2 + rng.integers(1, 3, len(idx))  # 1..998; odd = male
        return day * 1000 + seq

    keys = _unique_draw(draw, n)
    day, seq = np.divmod(keys, 1000)
    birth = epoch + day.astype("m8[D]")
    y = birth.astype("M8[Y]").astype(np.int64) + 1970
    m = birth.astype("M8[M]").astype(np.int64) % 12 + 1
    d = (birth - birth.astype("M8[M]").astype("M8[D]")).astype(np.int64) + 1
    digits = [y // 1000, y // 100 % 10, y // 10 % 10, y % 10, m // 10, m % 10, d // 10, d % 10,
              seq // 100, seq // 10 % 10, seq % 10]
    region = sum(int(c) * w for c, w in zip(txt.ID_REGION, txt.ID_WEIGHTS[:6], strict=True))
    total = region + sum(dg * w for dg, w in zip(digits, txt.ID_WEIGHTS[6:], strict=True))
    check = np.array(list(txt.ID_CHECK), dtype=object)[total % 11]
    body = (y * 10000 + m * 100 + d) * 1000 + seq  # YYYYMMDDsss as one integer
    return np.array([f"{txt.ID_REGION}{b:011d}" for b in body.tolist()], dtype=object) + check


def break_checksums(rng: Rng, numbers: Strs) -> Strs:
    """The same ID numbers with a wrong check character each."""
    out = numbers.copy()
    pick = rng.integers(0, len(txt.ID_CHECK) - 1, len(numbers))
    for i, (number, k) in enumerate(zip(numbers, pick.tolist(), strict=True)):
        wrong = [c for c in txt.ID_CHECK if c != number[-1]]
        out[i] = number[:-1] + wrong[k]
    return out


def phones(rng: Rng, n: int) -> Strs:
    """Unique 11-digit mobile numbers behind the demo's prefixes."""
    prefixes = np.array(txt.MOBILE_PREFIXES, dtype=object)

    def draw(idx: Ints) -> Ints:
        return rng.integers(0, len(prefixes), len(idx)) * 10**8 + rng.integers(0, 10**8, len(idx))

    keys = _unique_draw(draw, n)
    p, rest = np.divmod(keys, 10**8)
    return prefixes[p] + np.array([f"{r:08d}" for r in rest.tolist()], dtype=object)


GROUP_LABELS = tuple(txt.GROUP_WEIGHTS)


def special_groups(rng: Rng, m: int) -> tuple[Ints, Strs]:
    """For m households: up to three compatible labels each ((m, 3) indexes into GROUP_LABELS, -1 = none)
    drawn as txt.special_groups does, and the labels joined the way clerks type them (txt.join_groups)."""
    n_labels = len(GROUP_LABELS)
    weights = np.array([txt.GROUP_WEIGHTS[g] for g in GROUP_LABELS])
    clash = np.zeros((n_labels + 1, n_labels + 1), dtype=bool)  # last row/col: "no label"
    for a, b in txt.EXCLUSIVE:
        i, j = GROUP_LABELS.index(a), GROUP_LABELS.index(b)
        clash[i, j] = clash[j, i] = True
    k = rng.choice([1, 2, 3], size=m, p=[0.70, 0.25, 0.05])
    draws = rng.choice(n_labels, size=(m, 8), p=weights / weights.sum())
    chosen = np.full((m, 3), -1, dtype=np.int64)
    count = np.zeros(m, dtype=np.int64)
    rows = np.arange(m)
    for j in range(8):
        lab = draws[:, j]
        ok = count < k
        for s in range(3):
            have = chosen[:, s]
            ok &= (lab != have) & ~clash[lab, np.where(have < 0, n_labels, have)]
        chosen[rows[ok], count[ok]] = lab[ok]
        count += ok
    seps = txt.GROUP_SEPARATORS
    sep1 = rng.integers(0, len(seps), m).tolist()
    sep2 = rng.integers(0, len(seps), m).tolist()
    mixed = (rng.random(m) < 0.3).tolist()
    texts = np.empty(m, dtype=object)
    for i, (labels, c) in enumerate(zip(chosen.tolist(), count.tolist(), strict=True)):
        names = [GROUP_LABELS[x] for x in labels[:c]]
        if c > 2 and mixed[i]:
            texts[i] = names[0] + seps[sep1[i]] + seps[sep2[i]].join(names[1:])
        else:
            texts[i] = seps[sep1[i]].join(names)
    return chosen, texts


def _stray_spaces(rng: Rng, parts: list[Strs]) -> Strs:
    """Join parts; 2% with spaces between them as typed by hand, 1% with blanks left around by copy and paste."""
    n = len(parts[0])
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    draw = rng.random(n)
    front = rng.random(n) < 0.5
    spaced = np.flatnonzero(draw < 0.02)
    if len(spaced):
        cols = [p[spaced] for p in parts]
        out[spaced] = [" ".join(x for x in row if x) for row in zip(*cols, strict=True)]
    around = (draw >= 0.02) & (draw < 0.03)
    out[around & front] = " " + out[around & front]
    out[around & ~front] = out[around & ~front] + "  "
    return out


def _blank(n: int) -> Strs:
    return np.full(n, "", dtype=object)


def flat_addresses(rng: Rng, tab: Tables, style: Ints, compound: Strs, b: Ints, u: Ints, r: Ints) -> Strs:
    """Flats in household address styles 1..8 (see txt.flat_address), vectorised."""
    n = len(style)
    prefix, bpart, upart, rpart = _blank(n), _blank(n), _blank(n), _blank(n)
    prefix[style == 2] = "北京市朝阳区"
    prefix[style == 3] = "朝阳区"
    two = rng.random(n) < 0.5  # style 4: 两单元 for unit 2 half the time
    zuo = rng.random(n) < 0.5  # style 8: 座 instead of 幢
    for s in range(1, 9):
        i = np.flatnonzero(style == s)
        bi, ui, ri = b[i], u[i], r[i]
        if s in (1, 2):
            bpart[i], upart[i], rpart[i] = tab.num[bi] + "号楼", tab.num[ui] + "单元", tab.num[ri]
        elif s == 3:
            bpart[i], upart[i], rpart[i] = tab.num[bi] + "栋", tab.num[ui] + "门", tab.num[ri] + "室"
        elif s == 4:
            unit = np.where((ui == 2) & two[i], "两", tab.cn[ui]).astype(object)
            bpart[i], upart[i], rpart[i] = tab.cn[bi] + "号楼", unit + "单元", tab.cn_digits[ri]
        elif s == 5:
            bpart[i] = tab.num[bi] + "#" + tab.num[ui] + "-" + tab.num[ri]
        elif s == 6:
            bpart[i] = tab.num[bi] + "-" + tab.num[ui] + "-" + tab.num[ri]
        elif s == 7:
            bpart[i], upart[i], rpart[i] = tab.fullwidth[bi] + "号楼", tab.fullwidth[ui] + "单元", tab.fullwidth[ri]
        else:
            z = zuo[i]
            bpart[i] = tab.num[bi] + np.where(z, "座", "幢").astype(object)
            upart[i] = tab.num[ui] + "单元"
            rpart[i] = tab.num[ri] + np.where(z, "", "号").astype(object)
    return _stray_spaces(rng, [prefix, compound, bpart, upart, rpart])


def building_addresses(rng: Rng, tab: Tables, compound: Strs, b: Ints) -> Strs:
    """Building-level addresses in styles 1/2/3 weighted as txt.BUILDING_STYLE_WEIGHTS (txt.building_address)."""
    n = len(b)
    style = 1 + rng.choice(3, size=n, p=txt.BUILDING_STYLE_WEIGHTS)
    prefix = _blank(n)
    prefix[style == 2] = "北京市朝阳区"
    prefix[style == 3] = "朝阳区"
    bpart = tab.num[b] + np.where(style == 3, "栋", "号楼").astype(object)
    return _stray_spaces(rng, [prefix, compound, bpart])
