"""The demo district: a plausible, deterministic county education system to try the registry on.

Why it exists: a newcomer's first command (``scripts/dev``) must land on a site with something in
it — schools of every kind, teachers with postings and degrees, classes of students with their
guardians, two academic years of credit records, open objections, a repaired and a revoked record,
a complaint clue for the inspector — and one login per role (see :data:`DEMO_PASSWORD`).

Everything is drawn from ``random.Random(seed)``: the same seed gives the same district (school
codes, names, ID numbers), so screenshots, bug reports and tests can be compared. Only dates move
with the calendar, since the history is laid out backwards from today.

How the ledger stays honest: plain rows go in with ``bulk_create``, or ``copy_create`` (COPY on
PostgreSQL) for the large tables (the whole district takes seconds). Historical publications are created as published rows with past dates and are then
chained with :func:`evaluations.records.ledger.append_publications_bulk` in publication order, exactly as
``publish_record`` would have chained them on the day — that is what lets a record published last
spring be repaired today. Everything that happens "now" (publications, objections and their
decisions, a credit repair, complaint clues) goes through the evaluations services as the demo
users themselves, so those paths are exercised with their permission checks.
"""

from __future__ import annotations

import datetime
import io
import random
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image, ImageDraw

from credit_registry import rules
from credit_registry.access import ROLE_LABELS, Role, assign_role
from credit_registry.common.bulk import copy_create
from credit_registry.common.identity import id_check_char
from credit_registry.common.years import academic_year_label, academic_year_of
from evaluations.assessment import services as assessment_services
from evaluations.assessment.scoring import recompute_year
from evaluations.clues import services as clue_services
from evaluations.disputes import services as dispute_services
from evaluations.models import (
    AssessmentResult,
    CatalogItem,
    ClueChannel,
    ComplaintClue,
    CreditRecord,
    LedgerEntry,
    Notice,
    Objection,
    ObjectionStatus,
    Polarity,
    RecordSource,
    RecordStatus,
    RepairApplication,
    RepairProof,
)
from evaluations.records import services as record_services
from evaluations.records.ledger import append_publications_bulk, verify_chain
from evaluations.schoolwork import services as school_services
from schools import selectors as school_selectors
from schools.models import (
    ChecklistArea,
    ChecklistEntry,
    ChecklistKind,
    IntegrityActivity,
    LeadingGroupMember,
    LeadingGroupRole,
    OperationChecklist,
    Ownership,
    School,
    SchoolAccount,
)
from schools.models import SchoolKind as Kind
from students.models import (
    Acknowledger,
    Classroom,
    Enrolment,
    EnrolmentEvent,
    Guardian,
    Pledge,
    PledgeKind,
    PledgeSlip,
    Student,
)
from students.services import DEFAULT_PLEDGE_TEXT, new_pledge_code
from teachers.models import Degree, DegreeLevel, Gender, Posting, Teacher, Title
from teachers.models import VerificationStatus as Verification

DEMO_PASSWORD = "demo12345"  # documented in README.md; development data only

# --- the shape of the district -----------------------------------------------------------------

# Share of each kind among the schools (30 schools: 6 kindergartens, 9 primary schools, …).
KIND_SHARE: dict[str, int] = {
    Kind.KINDERGARTEN: 6,
    Kind.PRIMARY: 9,
    Kind.JUNIOR: 4,
    Kind.NINE_YEAR: 3,
    Kind.COMPLETE_SECONDARY: 2,
    Kind.SENIOR: 2,
    Kind.VOCATIONAL: 1,
    Kind.TRAINING: 3,
}
# Relative number of students of one school of each kind (training institutions enrol nobody).
KIND_SIZE: dict[str, float] = {
    Kind.KINDERGARTEN: 3,
    Kind.PRIMARY: 10,
    Kind.JUNIOR: 9,
    Kind.NINE_YEAR: 12,
    Kind.COMPLETE_SECONDARY: 15,
    Kind.SENIOR: 10,
    Kind.VOCATIONAL: 8,
    Kind.TRAINING: 0,
}
# Teachers per student, relative to a primary school; training institutions get a fixed weight.
TEACHER_FACTOR: dict[str, float] = {
    Kind.KINDERGARTEN: 1.4,
    Kind.PRIMARY: 1.0,
    Kind.JUNIOR: 1.25,
    Kind.NINE_YEAR: 1.1,
    Kind.COMPLETE_SECONDARY: 1.3,
    Kind.SENIOR: 1.35,
    Kind.VOCATIONAL: 1.2,
}
TRAINING_TEACHER_WEIGHT = 2.5
CLASS_SIZE: dict[str, int] = {
    Kind.KINDERGARTEN: 30,
    Kind.PRIMARY: 42,
    Kind.JUNIOR: 45,
    Kind.NINE_YEAR: 42,
    Kind.COMPLETE_SECONDARY: 48,
    Kind.SENIOR: 48,
    Kind.VOCATIONAL: 40,
}


@dataclass(frozen=True)
class GradeSpec:
    label: str
    start_age: int  # age on 1 September of the year the grade starts
    stage: str  # a school stage a child is admitted to (幼儿园, 小学, 初中, 高中, 中职, 九年一贯)


def _grades(stage: str, labels: Sequence[str], first_age: int) -> list[GradeSpec]:
    return [GradeSpec(label, first_age + i, stage) for i, label in enumerate(labels)]


_KG = _grades("kg", ["小班", "中班", "大班"], 3)
_PRIMARY = _grades("primary", [f"{n}年级" for n in "一二三四五六"], 6)
_JUNIOR = _grades("junior", ["七年级", "八年级", "九年级"], 12)
_SENIOR = _grades("senior", ["高一年级", "高二年级", "高三年级"], 15)
GRADES: dict[str, list[GradeSpec]] = {
    Kind.KINDERGARTEN: _KG,
    Kind.PRIMARY: _PRIMARY,
    Kind.JUNIOR: _JUNIOR,
    # A nine-year school admits once, at grade one.
    Kind.NINE_YEAR: [GradeSpec(g.label, g.start_age, "nine") for g in _PRIMARY + _JUNIOR],
    Kind.COMPLETE_SECONDARY: _JUNIOR + _SENIOR,
    Kind.SENIOR: _SENIOR,
    Kind.VOCATIONAL: _grades("vocational", ["中职一年级", "中职二年级", "中职三年级"], 15),
    Kind.TRAINING: [],
}
VOCATIONAL_MAJORS = ["计算机应用", "电子商务", "机电技术应用", "会计事务", "旅游服务与管理"]

# --- names, places, subjects -------------------------------------------------------------------

# Surnames roughly as frequent as in eastern Fujian: 陈林黄 first.
SURNAMES = "".join(
    dict.fromkeys(
        "陈林黄张李王吴刘郑蔡杨许谢郭周曾叶徐苏何罗高潘朱钟游彭詹胡施沈余卢梁赵颜柯翁魏孙"
        "戴范方宋邓杜傅侯曹薛丁卓阮马董温唐蓝蒋石纪姚连冯欧程汤黎田康姜汪白邹缪雷龚"
    )
)
SURNAME_WEIGHTS = [
    12 if i < 3 else 6 if i < 12 else 2 if i < 30 else 1 for i in range(len(SURNAMES))
]
ADULT_MALE_CHARS = "伟强磊军勇杰涛斌超明辉鹏华飞刚平建国志文峰林阳翔凯东海波毅荣成龙健鑫清德忠新"
ADULT_FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲婷雪琳慧颖倩洁琴云莉萍红梅丹青欣佳蕾晶瑶薇岚蓉秀英华"
CHILD_MALE_CHARS = "子轩浩宇梓睿俊熙航博文一鸣墨然奕辰铭泽皓烨宸逸晨煜锦程嘉诚彦霖昊天佑"
CHILD_FEMALE_CHARS = "欣怡雨桐梓萱涵诗语嘉悦可馨思彤若溪佳琪一诺沐晴紫依心妍芷若安然书瑶"

ROADS = [
    "人民路", "解放路", "中山路", "建设路", "东湖路", "南山路", "学府路", "文化路",
    "滨江路", "新华路", "育才路", "福宁路", "天湖路", "八一路", "鹤峰路", "北环路",
]  # fmt: skip
PLACES = ["城东", "城南", "城西", "城北", "江滨", "东湖", "南山", "北岸", "西郊", "东郊", "湖滨"]

# Region codes (first six ID digits) of the surrounding counties; most people are local.
LOCAL_REGION = "350902"
OTHER_REGIONS = ["350981", "350982", "350921", "350922", "350923", "350924", "350102", "350203"]

SUBJECTS: dict[str, list[str]] = {
    Kind.KINDERGARTEN: ["学前教育"],
    Kind.PRIMARY: ["语文"] * 5
    + ["数学"] * 4
    + ["英语"] * 2
    + ["科学", "道德与法治", "音乐", "体育", "美术", "信息科技"],
    Kind.JUNIOR: ["语文", "数学", "英语"] * 3
    + ["物理", "化学"] * 2
    + ["生物", "历史", "地理", "道德与法治", "音乐", "体育", "美术", "信息科技"],
    Kind.SENIOR: ["语文", "数学", "英语"] * 3
    + ["物理", "化学"] * 2
    + ["生物", "历史", "地理", "思想政治", "音乐", "体育", "美术", "信息技术"],
    Kind.VOCATIONAL: ["语文", "数学", "英语"]
    + ["计算机应用", "电子商务", "机电技术", "会计", "旅游服务"] * 2,
    Kind.TRAINING: ["英语", "数学", "语文", "美术", "音乐", "舞蹈", "书法", "编程"],
}
SUBJECTS[Kind.NINE_YEAR] = SUBJECTS[Kind.PRIMARY] + SUBJECTS[Kind.JUNIOR]
SUBJECTS[Kind.COMPLETE_SECONDARY] = SUBJECTS[Kind.JUNIOR] + SUBJECTS[Kind.SENIOR]
MAJORS = {
    "语文": "汉语言文学", "数学": "数学与应用数学", "英语": "英语", "物理": "物理学",
    "化学": "化学", "生物": "生物科学", "历史": "历史学", "地理": "地理科学",
    "道德与法治": "思想政治教育", "思想政治": "思想政治教育", "音乐": "音乐学",
    "体育": "体育教育", "美术": "美术学", "科学": "科学教育", "信息科技": "教育技术学",
    "信息技术": "计算机科学与技术", "学前教育": "学前教育", "计算机应用": "计算机科学与技术",
    "电子商务": "电子商务", "机电技术": "机械设计制造及其自动化", "会计": "会计学",
    "旅游服务": "旅游管理", "舞蹈": "舞蹈学", "书法": "书法学", "编程": "软件工程",
}  # fmt: skip
# Qualification certificate category digit by kind of school (幼儿园, 小学, 初中, 高中, 中职).
QUALIFICATION_LEVEL = {
    Kind.KINDERGARTEN: "1",
    Kind.PRIMARY: "2",
    Kind.JUNIOR: "3",
    Kind.NINE_YEAR: "3",
    Kind.COMPLETE_SECONDARY: "4",
    Kind.SENIOR: "4",
    Kind.VOCATIONAL: "5",
    Kind.TRAINING: "2",
}
# (institution, 5-digit institution code) by degree level; certificate numbers embed the code.
INSTITUTIONS: dict[str, list[tuple[str, str]]] = {
    DegreeLevel.SECONDARY: [("福建省宁德师范学校", "35901"), ("福安师范学校", "35902")],
    DegreeLevel.COLLEGE: [
        ("宁德职业技术学院", "12631"),
        ("福建幼儿师范高等专科学校", "14045"),
        ("泉州幼儿师范高等专科学校", "13902"),
        ("福州职业技术学院", "12632"),
    ],
    DegreeLevel.BACHELOR: [
        ("福建师范大学", "10394"),
        ("宁德师范学院", "10398"),
        ("闽江学院", "10395"),
        ("集美大学", "10390"),
        ("闽南师范大学", "10402"),
        ("泉州师范学院", "10399"),
        ("福州大学", "10386"),
        ("江西师范大学", "10414"),
    ],
    DegreeLevel.MASTER: [
        ("福建师范大学", "10394"),
        ("厦门大学", "10384"),
        ("华东师范大学", "10269"),
        ("华南师范大学", "10574"),
        ("闽南师范大学", "10402"),
    ],
    DegreeLevel.DOCTOR: [("福建师范大学", "10394"), ("华东师范大学", "10269")],
}
DEGREE_LEVEL_CODE = {"doctor": "01", "master": "02", "bachelor": "05", "college": "06"}
GRADUATION_AGE = {"secondary": 18, "college": 21, "bachelor": 22, "master": 25, "doctor": 29}

BUREAU_GROUP = [
    (LeadingGroupRole.LEADER, "局长"),
    (LeadingGroupRole.DEPUTY, "副局长"),
    (LeadingGroupRole.DEPUTY, "纪检监察组组长"),
    (LeadingGroupRole.MEMBER, "办公室主任"),
    (LeadingGroupRole.MEMBER, "人事股股长"),
    (LeadingGroupRole.MEMBER, "基础教育股股长"),
    (LeadingGroupRole.MEMBER, "教育督导室主任"),
    (LeadingGroupRole.MEMBER, "计划财务股股长"),
    (LeadingGroupRole.MEMBER, "职成教与民办教育股股长"),
]

# --- credit records: what happens, how often, in words ---------------------------------------

TEACHER_ITEMS = {
    "T-ETHICS-COMMENDATION": 42,
    "T-PAID-TUTORING": 28,
    "T-GIFTS": 15,
    "T-EXAM-CHEATING-INVIGILATOR": 7,
    "T-CORPORAL-PUNISHMENT": 4,
    "T-PAPER-FRAUD": 2,
    "T-EXAM-CHEATING-CANDIDATE": 2,
}
# Integrity-education activities are logged as activities (create_integrity_work), not records.
SCHOOL_ITEMS_PUBLIC = {
    "S-COLLECTIVE-HONOUR": 4,
    "S-DISCLOSURE": 8,
    "S-TEACHING-ROUTINE": 7,
    "S-CURRICULUM": 5,
    "S-TEACHING-MATERIALS": 5,
    "S-IRREGULAR-ENROLMENT": 2,
    "S-UNAUTHORISED-CLASSES": 2,
    "S-ARBITRARY-FEES": 1,
}
SCHOOL_ITEMS_PRIVATE = {
    "S-COLLECTIVE-HONOUR": 2,
    "S-ARBITRARY-FEES": 9,
    "S-FALSE-ADVERTISING": 8,
    "S-DISCLOSURE": 6,
    "S-UNAUTHORISED-CLASSES": 4,
}
STUDENT_ITEMS_YOUNG = {  # under 9: nothing disciplinary
    "ST-RETURNING-LOST-PROPERTY": 40,
    "ST-INTEGRITY-STAR": 30,
    "ST-COPYING-HOMEWORK": 20,
}
STUDENT_ITEMS_PRIMARY = {
    "ST-RETURNING-LOST-PROPERTY": 30,
    "ST-INTEGRITY-STAR": 25,
    "ST-COPYING-HOMEWORK": 30,
    "ST-EXAM-CHEATING": 6,
    "ST-DISCIPLINE-WARNING": 3,
}
STUDENT_ITEMS_SECONDARY = {
    "ST-RETURNING-LOST-PROPERTY": 20,
    "ST-INTEGRITY-STAR": 22,
    "ST-COPYING-HOMEWORK": 25,
    "ST-EXAM-CHEATING": 14,
    "ST-DISCIPLINE-WARNING": 10,
    "ST-DISCIPLINE-SERIOUS-WARNING": 5,
    "ST-DISCIPLINE-DEMERIT": 3,
    "ST-DISCIPLINE-PROBATION": 1,
}

NARRATIVES: dict[str, list[str]] = {
    "T-PAID-TUTORING": [
        "经查，{name}于{date}前后利用周末在校外租用场所组织本校学生{n}人进行有偿补课，按每人每月"
        "{fee}元收取费用，违反禁止中小学在职教师有偿补课的规定。",
        "接家长反映并经核实，{name}以“辅导班”名义对所任教班级学生进行有偿补课，累计收取费用约"
        "{total}元，当事人对事实无异议。",
        "{date}，督查组明察暗访发现{name}在家中为{n}名在校学生有偿辅导{subject}，现场核实属实。",
    ],
    "T-GIFTS": [
        "经查，{name}于{date}前后收受学生家长赠送的购物卡，价值{fee}元，已责令全部退还。",
        "{name}在学生评优评先期间接受家长宴请并收受礼金{fee}元，经调查属实。",
    ],
    "T-EXAM-CHEATING-INVIGILATOR": [
        "{date}{exam}中，{name}担任监考时擅离考场，未认真履行监考职责，致使考场秩序混乱。",
        "{name}在{exam}监考过程中提示考生答题，被巡考人员当场发现，经核实属实。",
    ],
    "T-EXAM-CHEATING-CANDIDATE": [
        "{name}于{date}参加职称评审业务考试时携带与考试有关的资料进入考场，被认定为考试作弊。",
    ],
    "T-CORPORAL-PUNISHMENT": [
        "{date}，{name}在课堂上因学生未完成作业，对学生实施罚站、推搡等变相体罚，经调查属实。",
        "{name}以“罚抄”“罚跑”等方式变相体罚学生，家长投诉后经学校和教育局联合调查核实。",
    ],
    "T-PAPER-FRAUD": [
        "{name}在职称评审材料中提交的论文经查重与已发表文献高度雷同，认定为论文作假。",
    ],
    "T-CREDENTIAL-FRAUD": [
        "经学历甄别核查，{name}填报的学历证书（编号{cert}）在学信网无记录，经发证院校函复确认非该校"
        "颁发，认定为学历造假。",
    ],
    "T-ETHICS-COMMENDATION": [
        "{name}爱岗敬业、关爱学生，{date}被评为{honour}。",
        "{name}长期坚持义务辅导学困生、资助家庭困难学生，{date}获{honour}表彰。",
    ],
    "ST-COPYING-HOMEWORK": [
        "该生{subject}作业多次抄袭同学作业，经任课教师发现并与家长沟通后确认。",
        "{date}，该生{subject}周末作业与他人雷同，经谈话承认系抄袭。",
    ],
    "ST-EXAM-CHEATING": [
        "该生在{date}{exam}{subject}科目考试中携带小抄，被监考教师当场发现，该科成绩按零分处理。",
        "该生在{exam}中与邻座考生传递答案，经监考教师发现并核实。",
    ],
    "ST-DISCIPLINE": [
        "该生{offence}，经批评教育仍未改正，根据学校学生违纪处理办法给予{level}处分。",
    ],
    "ST-INTEGRITY-STAR": [
        "该生诚实守信、乐于助人，在{klass}“诚信之星”评选中被评为{year_label}“诚信之星”。",
    ],
    "ST-RETURNING-LOST-PROPERTY": [
        "{date}，该生在校园内拾到{thing}，主动交给{who}，失主已认领。",
    ],
    "S-COLLECTIVE-HONOUR": [
        "{school}诚信校园建设成效显著，{date}被评为“诚信校园示范校”。",
    ],
    "S-DISCLOSURE": [
        "{date}督查发现，{school}未按规定在校务公开栏公示{what}，且整改不及时。",
    ],
    "S-TEACHING-MATERIALS": [
        "{school}统一组织学生征订未列入目录的教辅资料{k}种，违反教辅材料征订管理规定。",
    ],
    "S-CURRICULUM": [
        "{date}检查发现，{school}未按课程方案开足开齐{neglected}课程，存在挤占课时现象。",
    ],
    "S-TEACHING-ROUTINE": [
        "{date}教学常规检查发现，{school}部分教师教案不全、作业批改不及时，教研活动记录缺失。",
    ],
    "S-ARBITRARY-FEES": [
        "经查，{school}以“{pretext}”名义向家长收取费用，每人{fee}元，涉及{n}人，属于违规收费。",
    ],
    "S-IRREGULAR-ENROLMENT": [
        "{school}在秋季招生中违规组织考试选拔学生，并跨片区招收学生{k}名。",
    ],
    "S-UNAUTHORISED-CLASSES": [
        "{date}明察暗访发现，{school}在周末组织学生集中补课并收取补课费用。",
    ],
    "S-FALSE-ADVERTISING": [
        "{school}在微信公众号发布含有“保过”“提分{k}分”等内容的虚假宣传广告，经核实属实。",
    ],
    "S-ILLEGAL-OPERATION": [
        "经查，{school}办学许可证已过期仍继续招生，并在未经审批、存在安全隐患的场所开展培训，"
        "属严重违法违规办学。",
    ],
}
HONOURS = ["区级师德标兵", "区级优秀班主任", "“最美教师”", "市级师德先进个人", "区级优秀教师"]
EXAMS = ["期中考试", "期末考试", "月考", "单元测试"]
OFFENCES = [
    "多次无故旷课且不听劝阻",
    "在校内与同学发生打斗",
    "在宿舍违规使用大功率电器",
    "多次顶撞老师、扰乱课堂秩序",
    "在校园内吸烟",
]
THINGS = ["装有现金的钱包", "一部手机", "饭卡和现金", "一块手表", "一串钥匙", "一个书包"]
FINDERS = ["班主任", "学校政教处", "学校门卫", "值日老师"]
DISCLOSURES = ["收费项目及标准", "招生计划", "财务收支情况", "评优评先结果"]
PRETEXTS = ["资料费", "兴趣班", "延时服务", "统一服装", "床上用品"]
POINTS_REASONS_NEGATIVE = [
    "当事人主动退还全部费用并作出书面检讨，依规从轻处理",
    "情节轻微，及时整改到位，酌情减轻",
]
POINTS_REASON_COMMENDATION = "获评市级表彰，按市级标准计分"


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    acts_for: str

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role.value))


@dataclass
class DemoSummary:
    seed: int
    counts: dict[str, int]
    logins: list[DemoLogin]
    seconds: float
    ledger_links: int
    years: list[int] = field(default_factory=list)


class DemoDataExists(RuntimeError):
    """The database already holds a district; the demo is only ever built into an empty one."""


def district_has_data() -> bool:
    return School.objects.exists()


# --- small helpers -----------------------------------------------------------------------------


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder), giving
    every share at least ``minimum`` when the total allows it. Deterministic: ties go to the
    earlier share."""
    n = len(weights)
    if n == 0:
        return []
    floor = minimum if total >= minimum * n else 0
    rest = total - floor * n
    weight_sum = float(sum(weights))
    if weight_sum <= 0:
        weights, weight_sum = [1.0] * n, float(n)
    raw = [rest * w / weight_sum for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(n), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [c + floor for c in counts]


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (up to 99): school names say 第三中学, not 第3中学."""
    digits = "零一二三四五六七八九"
    if n >= 100:
        return str(n)
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


ACTIVITY_TEMPLATES = [
    ("lecture", "诚信教育专题讲座", "全体学生"),
    ("class_meeting", "“诚信伴我行”主题班会", "各班学生"),
    ("quiz", "诚信知识竞赛", "七、八年级学生"),
    ("essay", "“诚信在我心中”征文", "全体学生"),
    ("speech", "诚信主题演讲比赛", "各班代表"),
    ("moral_forum", "道德讲堂：讲身边的诚信故事", "全体教职工"),
    ("seminar", "师德师风建设座谈会", "全体教师"),
]
CHECKLIST_FINDINGS = {
    "curriculum": "个别年级未开足综合实践活动课。",
    "teaching_routine": "部分教师教案不全。",
    "admission": "招生简章未报备。",
    "fees": "代收费项目未公示。",
    "advertising": "宣传材料使用“保过”字样。",
    "openness": "校务公开栏未按期更新。",
}


@dataclass
class _SchoolPlan:
    school: School
    size: float
    teachers: list[Teacher] = field(default_factory=list)
    classes: list[_ClassPlan] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.school.kind


@dataclass
class _ClassPlan:
    classroom: Classroom
    grade: GradeSpec
    stage_entry_year: int
    size: int = 0


@dataclass
class _RecordPlan:
    record: CreditRecord
    notify: Any = None  # the demo user told about it, if any


# --- the builder -------------------------------------------------------------------------------


class _DistrictBuilder:
    """Builds the district step by step; each step reads what the previous ones made."""

    def __init__(
        self, *, seed: int, schools: int, teachers: int, students: int, stdout: TextIO | None
    ):
        if schools < 2:
            raise ValueError(gettext("演示区至少需要2所学校"))
        if teachers < 2 * schools:
            raise ValueError(gettext("教师人数至少应为学校数的2倍"))
        if students < 0:
            raise ValueError(gettext("学生人数不能为负"))
        self.rng = random.Random(seed)
        self.seed = seed
        self.n_schools, self.n_teachers, self.n_students = schools, teachers, students
        self.stdout = stdout
        self.district = settings.REGISTRY_DISTRICT_NAME
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.year = academic_year_of(self.today)
        self.previous_year = self.year - 1
        self.history_starts = datetime.date(self.previous_year, 9, 1)
        self.used_ids: set[str] = set()
        self.serials: Counter[str] = Counter()
        self.plans: list[_SchoolPlan] = []
        self.items = CatalogItem.objects.in_bulk(field_name="code")
        self.started = time.perf_counter()

    # progress ----------------------------------------------------------------------------------

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(f"  [{time.perf_counter() - self.started:5.1f}s] {message}\n")

    # random helpers ----------------------------------------------------------------------------

    def person_name(self, male: bool, *, child: bool = False) -> str:
        surname = self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        if child:
            pool = CHILD_MALE_CHARS if male else CHILD_FEMALE_CHARS
            length = 2 if self.rng.random() < 0.85 else 1
        else:
            pool = ADULT_MALE_CHARS if male else ADULT_FEMALE_CHARS
            length = 2 if self.rng.random() < 0.6 else 1
        return surname + "".join(self.rng.choice(pool) for _ in range(length))

    def id_number(self, birth: datetime.date, male: bool, *, local: float = 0.8) -> str:
        """A valid GB 11643 number, unique in the district; the 17th digit carries the sex."""
        region = LOCAL_REGION if self.rng.random() < local else self.rng.choice(OTHER_REGIONS)
        while True:
            sex_digit = self.rng.choice("13579" if male else "02468")
            first17 = f"{region}{birth:%Y%m%d}{self.rng.randrange(100):02d}{sex_digit}"
            if first17 not in self.used_ids:
                self.used_ids.add(first17)
                return first17 + id_check_char(first17)

    def mobile(self) -> str:
        return f"1{self.rng.choice('35789')}{self.rng.randrange(10**9):09d}"

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def birth_date(self, year_of_entry: int, start_age: int) -> datetime.date:
        """A birthday that puts a child in a grade started at ``start_age`` (cut-off 31 August)."""
        first = datetime.date(year_of_entry - start_age - 1, 9, 1)
        return self.day_between(first, datetime.date(year_of_entry - start_age, 8, 31))

    def at(self, day: datetime.date, first_hour: int = 8, last_hour: int = 17) -> datetime.datetime:
        moment = datetime.time(
            self.rng.randint(first_hour, last_hour),
            self.rng.randrange(60),
            self.rng.randrange(60),
            self.rng.randrange(1_000_000),
        )
        return timezone.make_aware(datetime.datetime.combine(day, moment))

    def serial(self, key: str, start: int) -> int:
        """Increasing serial numbers per kind of certificate: unique, not consecutive."""
        if key not in self.serials:
            self.serials[key] = start
        self.serials[key] += self.rng.randint(1, 29)
        return self.serials[key]

    # 1. users ---------------------------------------------------------------------------------

    def create_users(self) -> None:
        User = get_user_model()
        specs = [
            ("admin", "系统管理员", Role.BUREAU_ADMIN),
            ("bureau", self.person_name(self.rng.random() < 0.5), Role.BUREAU_ADMIN),
            ("inspector", self.person_name(True), Role.INSPECTOR),
            ("principal", "", Role.PRINCIPAL),
            ("principal2", "", Role.PRINCIPAL),
            ("teacher", "", Role.TEACHER),
        ]
        # Hashing is deliberately slow (about half a second each); hash in parallel threads.
        with ThreadPoolExecutor(max_workers=len(specs)) as pool:
            hashes = list(pool.map(make_password, [DEMO_PASSWORD] * len(specs)))
        self.users: dict[str, Any] = {}
        for (username, display, role), password in zip(specs, hashes, strict=True):
            if username == "admin":
                user = User.objects.create_superuser(username=username, email="", password=None)
            else:
                user = User.objects.create_user(username=username, email="", password=None)
            user.first_name = display
            user.password = password
            user.save()
            assign_role(user, role)
            self.users[username] = user
        self.say(gettext("演示账号：%(count)s") % {"count": 6})

    # 2. schools --------------------------------------------------------------------------------

    def create_schools(self) -> None:
        kinds = list(KIND_SHARE)
        per_kind = apportion(self.n_schools, [KIND_SHARE[k] for k in kinds])
        # Every kind present once there are enough schools: borrow from the most numerous.
        while self.n_schools >= len(kinds) and 0 in per_kind:
            per_kind[per_kind.index(max(per_kind))] -= 1
            per_kind[per_kind.index(0)] += 1
        codes = sorted(self.rng.sample(range(100_000, 1_000_000), self.n_schools))
        names = _SchoolNames(self.district, per_kind=dict(zip(kinds, per_kind, strict=True)))
        schools = []
        for kind, count in zip(kinds, per_kind, strict=True):
            for index in range(count):
                private = (
                    kind == Kind.TRAINING
                    or (kind == Kind.KINDERGARTEN and index % 3 == 2)
                    or (kind == Kind.PRIMARY and index == 4)
                )
                school = School(
                    code=f"2135{codes[len(schools)]:06d}",
                    name=names.next(kind, private),
                    kind=kind,
                    ownership=Ownership.PRIVATE if private else Ownership.PUBLIC,
                    address=(
                        f"{self.district}{self.rng.choice(ROADS)}{self.rng.randint(1, 399)}号"
                    ),
                    phone=f"0593-{self.rng.randint(2_100_000, 2_999_999)}",
                )
                schools.append(school)
                self.plans.append(_SchoolPlan(school, KIND_SIZE[kind] * self.rng.uniform(0.6, 1.5)))
        School.objects.bulk_create(schools)
        self.say(gettext("学校：%(count)s") % {"count": len(schools)})

    # 3. classes (planned before teachers, who are chosen as their heads) ------------------------

    def plan_classes(self) -> None:
        with_classes = [p for p in self.plans if GRADES[p.kind]]
        sizes = apportion(self.n_students, [p.size for p in with_classes])
        for plan, n_students in zip(with_classes, sizes, strict=True):
            grades = GRADES[plan.kind]
            per_grade = max(1, round(n_students / len(grades) / CLASS_SIZE[plan.kind]))
            stage_index: Counter[str] = Counter()
            for index, grade in enumerate(grades):
                # Within a stage, the n-th grade entered n years ago.
                stage_entry = self.year - stage_index[grade.stage]
                stage_index[grade.stage] += 1
                for k in range(1, per_grade + 1):
                    if plan.kind == Kind.VOCATIONAL:
                        major = VOCATIONAL_MAJORS[(k - 1) % len(VOCATIONAL_MAJORS)]
                        name = f"{major}{(k - 1) // len(VOCATIONAL_MAJORS) + 1}班"
                    else:
                        name = f"{k}班"
                    classroom = Classroom(
                        school=plan.school,
                        grade=grade.label,
                        name=name,
                        # The cohort's year of entry into this school: unique per grade, so that
                        # (school, entry year, name) stays unique in a school of two stages too.
                        entry_year=self.year - index,
                    )
                    plan.classes.append(_ClassPlan(classroom, grade, stage_entry))
            shares = apportion(n_students, [self.rng.uniform(0.85, 1.15) for _ in plan.classes])
            for class_plan, share in zip(plan.classes, shares, strict=True):
                class_plan.size = share

    # 4. teachers, postings, degrees --------------------------------------------------------------

    def create_teachers(self) -> None:
        weights = [
            TRAINING_TEACHER_WEIGHT
            if p.kind == Kind.TRAINING
            else sum(c.size for c in p.classes) / 40 * TEACHER_FACTOR[p.kind] + 1
            for p in self.plans
        ]
        per_school = apportion(self.n_teachers, weights, minimum=2)
        verifier = self.users["bureau"]
        teachers: list[Teacher] = []
        postings: list[Posting] = []
        degrees: list[Degree] = []
        for plan, count in zip(self.plans, per_school, strict=True):
            heads = self._head_teacher_slots(plan, count)
            for index in range(count):
                teacher, teacher_postings, teacher_degrees = self._teacher(
                    plan, index, heads.get(index)
                )
                teachers.append(teacher)
                plan.teachers.append(teacher)
                postings.extend(teacher_postings)
                degrees.extend(teacher_degrees)
            if plan.kind == Kind.TRAINING:
                plan.school.principal_name = self.person_name(self.rng.random() < 0.5)
            else:
                plan.school.principal_name = plan.teachers[0].name
        for degree in degrees:
            if degree.verification_status in (Verification.VERIFIED, Verification.DOUBTFUL):
                degree.verified_by = verifier
        copy_create(Teacher, teachers)
        copy_create(Posting, postings)
        copy_create(Degree, degrees)
        School.objects.bulk_update([p.school for p in self.plans], ["principal_name"])
        self.teachers = teachers
        self.say(
            gettext("教师：%(teachers)s，任职记录：%(postings)s，学历：%(degrees)s")
            % {"teachers": len(teachers), "postings": len(postings), "degrees": len(degrees)}
        )

    def _head_teacher_slots(self, plan: _SchoolPlan, count: int) -> dict[int, list[_ClassPlan]]:
        """Which teacher (by index in the school) heads which classes. The school's leaders
        (the first two) are spared while there are enough other teachers."""
        if not plan.classes:
            return {}
        candidates = list(range(2, count)) or list(range(count))
        self.rng.shuffle(candidates)
        slots: dict[int, list[_ClassPlan]] = {}
        for k, class_plan in enumerate(plan.classes):
            slots.setdefault(candidates[k % len(candidates)], []).append(class_plan)
        return slots

    def _teacher(
        self, plan: _SchoolPlan, index: int, heads: list[_ClassPlan] | None
    ) -> tuple[Teacher, list[Posting], list[Degree]]:
        rng, kind = self.rng, plan.kind
        female_share = {Kind.KINDERGARTEN: 0.97, Kind.PRIMARY: 0.78, Kind.TRAINING: 0.65}.get(
            kind, 0.6
        )
        male = rng.random() >= female_share
        age = rng.randint(44, 56) if index == 0 else int(rng.triangular(23, 59, 38))
        birth = datetime.date(self.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        subject = rng.choice(SUBJECTS[kind])
        levels = self._degree_levels(kind, age)
        graduated = self._graduation_years(levels, birth.year)
        first_job = min(
            datetime.date(min(graduated) + rng.choice([0, 0, 1]), 9, 1),
            datetime.date(self.year, 9, 1),
        )
        teacher = Teacher(
            name=self.person_name(male),
            gender=Gender.MALE if male else Gender.FEMALE,
            id_number=self.id_number(birth, male),
            phone=self.mobile(),
            school=plan.school,
            subject=subject,
            title=self._title(kind, age),
            post=self._post(kind, index, heads),
            qualification_number=""
            if kind == Kind.TRAINING and rng.random() < 0.3
            else (
                f"{first_job.year}35{QUALIFICATION_LEVEL[kind]}"
                f"{self.serial('qualification', 1_000_000):010d}"
            ),
        )
        for class_plan in heads or []:
            class_plan.classroom.head_teacher = teacher
        # Postings: the current one, and for some an earlier school of the same sector.
        postings = []
        start = first_job
        others = [
            p.school
            for p in self.plans
            if p is not plan and (p.kind == Kind.TRAINING) == (kind == Kind.TRAINING)
        ]
        if others and self.year - first_job.year >= 6 and rng.random() < 0.25:
            start = datetime.date(rng.randint(first_job.year + 3, self.year), 9, 1)
            postings.append(
                Posting(
                    teacher=teacher,
                    school=rng.choice(others),
                    post="专任教师",
                    start_date=first_job,
                    end_date=start - datetime.timedelta(days=1),
                )
            )
        postings.append(
            Posting(teacher=teacher, school=plan.school, post=teacher.post, start_date=start)
        )
        degrees = [
            self._degree(teacher, level, year, subject)
            for level, year in zip(levels, graduated, strict=True)
        ]
        return teacher, postings, degrees

    def _degree_levels(self, kind: str, age: int) -> list[str]:
        """Highest degree first, sometimes the one before it (专升本, 本科 then 硕士)."""
        rng = self.rng
        if kind == Kind.KINDERGARTEN:
            options = {"college": 50, "bachelor": 45, "secondary": 5}
        elif kind in (Kind.PRIMARY, Kind.TRAINING):
            options = {"bachelor": 68, "college": 24, "master": 8}
        else:
            options = {"bachelor": 68, "master": 28, "college": 2, "doctor": 2}
        highest = rng.choices(list(options), weights=list(options.values()))[0]
        if highest == "doctor" and age < 31:
            highest = "master"
        if highest == "master" and age < 26:
            highest = "bachelor"
        if highest == "secondary" and age < 40:
            highest = "college"
        before = {"doctor": "master", "master": "bachelor", "bachelor": "college"}
        chance = {"doctor": 0.9, "master": 0.8, "bachelor": 0.25, "college": 0.0}
        levels = [highest]
        if highest in before and rng.random() < chance[highest]:
            levels.append(before[highest])
        return levels

    def _graduation_years(self, levels: list[str], birth_year: int) -> list[int]:
        latest = self.today.year - 1
        years = [
            min(birth_year + GRADUATION_AGE[level] + self.rng.choice([0, 0, 1]), latest)
            for level in levels
        ]
        if len(years) == 2 and years[0] <= years[1]:
            years[0] = min(years[1] + self.rng.randint(2, 5), latest)
            if years[0] <= years[1]:  # too young for the second degree: keep only the first
                levels.pop()
                years = [years[1]]
        return years

    def _degree(self, teacher: Teacher, level: str, year: int, subject: str) -> Degree:
        rng = self.rng
        institution, code = rng.choice(INSTITUTIONS[level])
        if level == "secondary":
            number = f"{year}{code}{self.serial('secondary', 10_000):07d}"
        else:
            number = f"{code}1{year}{DEGREE_LEVEL_CODE[level]}{self.serial(level, 100_000):06d}"
        status = rng.choices(
            [Verification.PENDING, Verification.VERIFIED, Verification.DOUBTFUL],
            weights=[40, 56, 4],
        )[0]
        degree = Degree(
            teacher=teacher,
            level=level,
            institution=institution,
            major=MAJORS.get(subject, "教育学"),
            graduated_on=datetime.date(year, 7, 1),
            certificate_number=number,
            verification_status=status,
        )
        if status != Verification.PENDING:
            yesterday = self.today - datetime.timedelta(days=1)
            degree.verified_at = self.at(self.day_between(self.history_starts, yesterday))
            degree.verification_note = (
                "经学信网核验，证书信息一致。"
                if status == Verification.VERIFIED
                else "学信网查询无此证书编号，已函询发证院校，待复函。"
            )
        return degree

    def _title(self, kind: str, age: int) -> str:
        if kind == Kind.TRAINING:
            return Title.NONE if self.rng.random() < 0.7 else Title.TIER2
        if age < 25:
            options = {Title.NONE: 70, Title.TIER3: 5, Title.TIER2: 25}
        elif age < 32:
            options = {Title.TIER2: 70, Title.TIER1: 30}
        elif age < 42:
            options = {Title.TIER2: 20, Title.TIER1: 58, Title.SENIOR: 22}
        else:
            options = {Title.TIER2: 5, Title.TIER1: 45, Title.SENIOR: 48, Title.PROFESSOR: 2}
        return self.rng.choices(list(options), weights=list(options.values()))[0]

    def _post(self, kind: str, index: int, heads: list[_ClassPlan] | None) -> str:
        if kind == Kind.KINDERGARTEN:
            leaders = ["园长", "副园长", "保教主任"]
        elif kind == Kind.TRAINING:
            leaders = ["校长", "教学主管"]
        else:
            leaders = ["校长", "副校长", "教务主任", "德育主任"]
        if index < len(leaders) and not (index >= 2 and heads):
            return leaders[index]
        if heads:
            return "班主任"
        return "培训教师" if kind == Kind.TRAINING else "专任教师"

    # 5. leading groups ------------------------------------------------------------------------------

    def create_leading_groups(self) -> None:
        members = [
            LeadingGroupMember(
                school=None,
                name=self.person_name(self.rng.random() < 0.6),
                position=position,
                role=role,
            )
            for role, position in BUREAU_GROUP
        ]
        for plan in self.plans:
            leaders = plan.teachers[:4]
            if plan.kind == Kind.TRAINING:
                members.append(
                    LeadingGroupMember(
                        school=plan.school,
                        name=plan.school.principal_name,
                        position="法定代表人",
                        role=LeadingGroupRole.LEADER,
                    )
                )
                leaders = leaders[:1]
            for i, teacher in enumerate(leaders):
                if plan.kind == Kind.TRAINING:
                    role = LeadingGroupRole.MEMBER
                else:
                    role = [LeadingGroupRole.LEADER, LeadingGroupRole.DEPUTY][min(i, 1)]
                    role = role if i < 2 else LeadingGroupRole.MEMBER
                members.append(
                    LeadingGroupMember(
                        school=plan.school, name=teacher.name, position=teacher.post, role=role
                    )
                )
        LeadingGroupMember.objects.bulk_create(members)
        self.say(gettext("领导小组成员：%(count)s") % {"count": len(members)})

    # 6. classes and students --------------------------------------------------------------------------

    def create_students(self) -> None:
        classrooms = [c.classroom for p in self.plans for c in p.classes]
        copy_create(Classroom, classrooms)
        students: list[Student] = []
        guardians: list[Guardian] = []
        enrolments: list[Enrolment] = []
        self.student_age: dict[int, int] = {}  # by position in ``students``
        for plan in self.plans:
            for class_plan in plan.classes:
                grade = class_plan.grade
                for _ in range(class_plan.size):
                    male = self.rng.random() < 0.52
                    birth = self.birth_date(self.year, grade.start_age)
                    id_number = self.id_number(birth, male, local=0.9)
                    name = self.person_name(male, child=True)
                    student = Student(
                        name=name,
                        gender=Gender.MALE if male else Gender.FEMALE,
                        student_number=f"G{id_number}",
                        id_number=id_number,
                        birth_date=birth,
                        school=plan.school,
                        classroom=class_plan.classroom,
                    )
                    self.student_age[len(students)] = grade.start_age
                    students.append(student)
                    guardians.extend(self._guardians(student))
                    enrolments.append(
                        Enrolment(
                            student=student,
                            school=plan.school,
                            classroom=class_plan.classroom,
                            event=EnrolmentEvent.ENTERED,
                            date=datetime.date(class_plan.stage_entry_year, 9, 1),
                            note="新生入学",
                        )
                    )
        copy_create(Student, students)
        copy_create(Guardian, guardians)
        copy_create(Enrolment, enrolments)
        self.students = students
        self.say(
            gettext("班级：%(classes)s，学生：%(students)s，监护人：%(guardians)s")
            % {"classes": len(classrooms), "students": len(students), "guardians": len(guardians)}
        )

    def _guardians(self, student: Student) -> list[Guardian]:
        surname = student.name[0]
        father = surname + self.person_name(True)[1:]
        mother = self.person_name(False)
        roll = self.rng.random()
        if roll < 0.62:
            people = [(father, "父亲"), (mother, "母亲")]
        elif roll < 0.82:
            people = [(mother, "母亲")]
        elif roll < 0.92:
            people = [(father, "父亲")]
        else:  # left-behind children live with their grandparents
            people = [
                (surname + self.person_name(True)[1:], "祖父"),
                (self.person_name(False), "祖母"),
            ]
        return [
            Guardian(student=student, name=name, relation=relation, phone=self.mobile())
            for name, relation in people
        ]

    # 7. demo accounts tied to the district -------------------------------------------------------

    def link_accounts(self) -> None:
        """The principal acts for the first public junior/secondary school, ``principal2`` for a
        public primary school, and ``teacher`` is a class teacher of the first school."""
        secondary = (
            Kind.JUNIOR,
            Kind.COMPLETE_SECONDARY,
            Kind.NINE_YEAR,
            Kind.SENIOR,
            Kind.PRIMARY,
        )
        with_classes = [p for p in self.plans if p.classes]
        ranked = sorted(
            (p for p in with_classes if p.school.ownership == Ownership.PUBLIC),
            key=lambda p: secondary.index(p.kind) if p.kind in secondary else len(secondary),
        )
        self.home = (ranked or with_classes or self.plans)[0]
        others = [p for p in self.plans if p is not self.home]
        self.home2 = next(
            (
                p
                for p in others
                if p.kind == Kind.PRIMARY and p.school.ownership == Ownership.PUBLIC and p.classes
            ),
            next((p for p in others if p.classes), others[0]),
        )
        SchoolAccount.objects.bulk_create(
            [
                SchoolAccount(
                    user=self.users["principal"], school=self.home.school, position="校长"
                ),
                SchoolAccount(
                    user=self.users["principal2"], school=self.home2.school, position="校长"
                ),
            ]
        )
        first_class = self.home.classes[0].classroom if self.home.classes else None
        self.demo_teacher = (
            first_class.head_teacher if first_class is not None else self.home.teachers[-1]
        )
        self.demo_class = first_class
        self.demo_teacher.user = self.users["teacher"]
        self.demo_teacher.save(update_fields=["user"])
        for username, person in (
            ("principal", self.home.teachers[0].name),
            ("principal2", self.home2.teachers[0].name),
            ("teacher", self.demo_teacher.name),
        ):
            user = self.users[username]
            user.first_name = person
            user.save(update_fields=["first_name"])
        # Fresh copies: role and school lookups are cached on user objects.
        User = get_user_model()
        self.users = {name: User.objects.get(pk=user.pk) for name, user in self.users.items()}

    # 8. credit records ---------------------------------------------------------------------------

    def create_records(self) -> None:
        """Two academic years of history: mostly published (chained in publication order),
        recent ones still on their way through approval."""
        assessment_services.ensure_year(year=self.previous_year)
        assessment_services.ensure_year(year=self.year)
        plans = self._scripted_history() + self._random_history()
        records = [p.record for p in plans]
        copy_create(CreditRecord, records)
        published = sorted(
            (r for r in records if r.status == RecordStatus.PUBLISHED),
            key=lambda r: (r.published_at, r.pk),
        )
        append_publications_bulk(records=published)
        self._notices(plans)
        statuses = Counter(r.status for r in records)
        by_status = "，".join(f"{RecordStatus(s).label}{n}" for s, n in sorted(statuses.items()))
        self.say(
            gettext("历史信用记录：%(records)s（%(by_status)s），账本环节：%(links)s")
            % {"records": len(records), "by_status": by_status, "links": len(published)}
        )

    def _random_history(self) -> list[_RecordPlan]:
        rng = self.rng
        plans: list[_RecordPlan] = []
        # Teachers of schools (not of training institutions); the demo teacher's file is scripted.
        teachers = [
            (p, t)
            for p in self.plans
            if p.kind != Kind.TRAINING
            for t in p.teachers
            if t is not self.demo_teacher
        ]
        for (plan, teacher), n in self._spread(teachers, round(len(self.teachers) * 0.5)):
            for _ in range(n):
                code = self._pick(TEACHER_ITEMS)
                plans.append(self._plan_record(code, plan, teacher=teacher))
        plan_of = {id(p.school): p for p in self.plans}
        students = [
            (plan_of[id(student.school)], student, self.student_age[i])
            for i, student in enumerate(self.students)
            if student.school.kind != Kind.KINDERGARTEN
        ]
        for (plan, student, age), n in self._spread(students, round(len(self.students) * 0.38)):
            items = (
                STUDENT_ITEMS_YOUNG
                if age < 9
                else STUDENT_ITEMS_PRIMARY
                if age < 12
                else STUDENT_ITEMS_SECONDARY
            )
            for _ in range(n):
                plans.append(self._plan_record(self._pick(items), plan, student=student))
        for plan in self.plans:
            private = plan.school.ownership == Ownership.PRIVATE or plan.kind == Kind.TRAINING
            items = SCHOOL_ITEMS_PRIVATE if private else SCHOOL_ITEMS_PUBLIC
            for _ in range(rng.randint(4, 12)):
                plans.append(self._plan_record(self._pick(items), plan, school=plan.school))
        return plans

    def _spread(self, subjects: list, total: int) -> list[tuple[Any, int]]:
        """Most subjects have no record, a few have several: pick about 60% as many subjects
        as there are records, then hand out the rest by a heavy-tailed weight."""
        if not subjects or total <= 0:
            return []
        chosen = self.rng.sample(subjects, min(len(subjects), max(1, round(total * 0.6))))
        counts = [1] * len(chosen)
        weights = [min(self.rng.paretovariate(2.0), 5.0) for _ in chosen]
        for index in self.rng.choices(range(len(chosen)), weights=weights, k=total - len(chosen)):
            counts[index] += 1
        return list(zip(chosen, counts, strict=True))

    def _pick(self, weighted: dict[str, int]) -> str:
        return self.rng.choices(list(weighted), weights=list(weighted.values()))[0]

    def _occurred_on(self) -> datetime.date:
        """A school day (no weekend, no summer holiday) between the start of last year and
        yesterday."""
        for _ in range(50):
            day = self.day_between(self.history_starts, self.today - datetime.timedelta(days=1))
            summer = (day.month == 7 and day.day > 10) or day.month == 8
            if day.weekday() < 5 and not summer:
                return day
        return day

    def _plan_record(
        self,
        code: str,
        plan: _SchoolPlan,
        *,
        school: School | None = None,
        teacher: Teacher | None = None,
        student: Student | None = None,
        occurred_on: datetime.date | None = None,
        status: str | None = None,
    ) -> _RecordPlan:
        rng = self.rng
        item = self.items[code]
        occurred_on = occurred_on or self._occurred_on()
        if status is None:
            recent = (self.today - occurred_on).days <= 45
            status = (
                rng.choices(
                    [
                        RecordStatus.PUBLISHED,
                        RecordStatus.SUBMITTED,
                        RecordStatus.APPROVED,
                        RecordStatus.DRAFT,
                        RecordStatus.RETURNED,
                    ],
                    weights=[45, 25, 12, 10, 8],
                )[0]
                if recent
                else RecordStatus.PUBLISHED
            )
        points, points_reason = item.default_points, ""
        if not item.vetoes and rng.random() < 0.06:
            if item.default_points < 0:
                points = (item.default_points / 2).quantize(Decimal("0.01"))
                points_reason = rng.choice(POINTS_REASONS_NEGATIVE)
            elif code == "T-ETHICS-COMMENDATION":
                points, points_reason = Decimal("8.00"), POINTS_REASON_COMMENDATION
        source = self._source(code)
        recorded_by = self._recorder(source, plan, student)
        office, number = self._decision(code, source, occurred_on, student=student is not None)
        record = CreditRecord(
            school=school,
            teacher=teacher,
            student=student,
            item=item,
            points=points,
            points_reason=points_reason,
            occurred_on=occurred_on,
            year=academic_year_of(occurred_on),
            source=source,
            narrative=self._narrative(code, plan, occurred_on, teacher=teacher, student=student),
            deciding_office=office,
            document_number=number,
            status=status,
            recorded_by=recorded_by,
        )
        self._timeline(record)
        notify = None
        if status == RecordStatus.PUBLISHED:
            if teacher is not None and teacher is self.demo_teacher:
                notify = self.users["teacher"]
            elif teacher is None and plan is self.home:
                notify = self.users["principal"]
            elif teacher is None and plan is self.home2:
                notify = self.users["principal2"]
        return _RecordPlan(record, notify)

    def _source(self, code: str) -> str:
        if code in ("T-ETHICS-COMMENDATION", "S-COLLECTIVE-HONOUR", "ST-INTEGRITY-STAR"):
            return RecordSource.COMMENDATION
        if code.startswith("ST-"):
            return RecordSource.ROUTINE
        return self.rng.choices(
            [RecordSource.ROUTINE, RecordSource.INSPECTION, RecordSource.COMPLAINT],
            weights=[50, 30, 20],
        )[0]

    def _decision(
        self, code: str, source: str, day: datetime.date, *, student: bool
    ) -> tuple[str, str]:
        """The bureau's decision a school's or teacher's record rests on, as the public lists
        cite it: commendations numbered 蕉教〔2025〕n号, findings 蕉教督〔2025〕n号. A student's
        record is the school's business and is never public."""
        if student:
            return "", ""
        office = f"{self.district}教育局"
        positive = self.items[code].polarity == Polarity.POSITIVE
        prefix = f"{self.district[:1]}教" if positive else f"{self.district[:1]}教督"
        if positive and source != RecordSource.COMMENDATION:
            return "", ""
        key = f"decision-{prefix}-{day.year}"
        self.serials[key] += 1  # no draw: the seed's story stays the same
        return office, f"{prefix}〔{day.year}〕{self.serials[key]}号"

    def _recorder(self, source: str, plan: _SchoolPlan, student: Student | None):
        if source in (RecordSource.INSPECTION, RecordSource.COMPLAINT):
            return self.users["inspector"]
        if student is not None and student.classroom is self.demo_class:
            return self.users["teacher"]
        if plan is self.home and source != RecordSource.COMMENDATION:
            return self.users["principal"]
        if plan is self.home2 and source != RecordSource.COMMENDATION:
            return self.users["principal2"]
        return self.users["bureau"]

    def _timeline(self, record: CreditRecord) -> None:
        """recorded → submitted → approved → published in office hours, days apart, all between
        the day of the fact and now; the stages the status has not reached stay empty."""
        rng = self.rng
        recorded_on = record.occurred_on + datetime.timedelta(days=rng.randint(0, 3))
        recorded = self.at(recorded_on, 8, 15)
        approved = self.at(recorded_on + datetime.timedelta(days=rng.randint(1, 5)), 8, 15)
        steps = [
            recorded,
            recorded + datetime.timedelta(minutes=rng.randint(5, 90)),
            approved,
            self.at(
                timezone.localdate(approved) + datetime.timedelta(days=rng.randint(1, 3)), 8, 16
            )
            if rng.random() < 0.7
            else approved + datetime.timedelta(minutes=rng.randint(10, 60)),
        ]
        latest = self.now - datetime.timedelta(minutes=5)
        if steps[-1] > latest:
            earliest = timezone.make_aware(
                datetime.datetime.combine(record.occurred_on, datetime.time(8))
            )
            span = (latest - earliest).total_seconds()
            steps = sorted(
                earliest + datetime.timedelta(seconds=span * rng.random()) for _ in range(4)
            )
        recorded, submitted, approved, published = steps
        record.recorded_at = recorded
        status = record.status
        if status != RecordStatus.DRAFT:
            record.submitted_by = record.recorded_by
            record.submitted_at = submitted
        if status == RecordStatus.RETURNED:
            record.returned_by = self.users["bureau"]
            record.returned_at = approved
            record.returned_reason = "事实陈述不够具体，请补充时间、地点及证据材料后重新提交。"
        if status in (RecordStatus.APPROVED, RecordStatus.PUBLISHED):
            record.approved_by = self.users["bureau"]
            record.approved_at = approved
        if status == RecordStatus.PUBLISHED:
            record.published_by = (
                self.users["bureau"] if rng.random() < 0.85 else self.users["admin"]
            )
            record.published_at = published
            record.fix_tier()

    def _narrative(
        self,
        code: str,
        plan: _SchoolPlan,
        day: datetime.date,
        *,
        teacher: Teacher | None = None,
        student: Student | None = None,
        **extra: str,
    ) -> str:
        rng = self.rng
        key = "ST-DISCIPLINE" if code.startswith("ST-DISCIPLINE") else code
        template = rng.choice(NARRATIVES[key])
        item_name = self.items[code].name
        classroom = student.classroom if student is not None else None
        context = {
            "name": teacher.name if teacher else "",
            "school": plan.school.name,
            "date": _cn_date(day),
            "n": rng.randint(5, 40),
            "k": rng.randint(2, 30),
            "fee": rng.choice([200, 300, 500, 800, 1000, 1500]),
            "total": rng.choice([3000, 4800, 6000, 9600, 12000]),
            "subject": teacher.subject if teacher else rng.choice(["语文", "数学", "英语"]),
            "neglected": rng.choice(["音乐", "体育", "美术", "劳动", "心理健康"]),
            "exam": rng.choice(EXAMS),
            "honour": rng.choice(HONOURS),
            "klass": str(classroom) if classroom is not None else "",
            "year_label": academic_year_label(academic_year_of(day)),
            "offence": rng.choice(OFFENCES),
            "level": item_name[item_name.find("（") + 1 : -1] if "（" in item_name else "",
            "thing": rng.choice(THINGS),
            "who": rng.choice(FINDERS),
            "what": rng.choice(DISCLOSURES),
            "pretext": rng.choice(PRETEXTS),
            "cert": "",
        }
        context.update(extra)
        return template.format(**context)

    def _scripted_history(self) -> list[_RecordPlan]:
        """The records the demo story needs, whatever the seed draws: the demo teacher's
        commendation, two old negative records of the principal's school (one to be repaired,
        one with a pending repair), a training institution's veto and a forged degree."""
        home, today = self.home, self.today
        plans = [
            self._plan_record(
                "T-ETHICS-COMMENDATION",
                home,
                teacher=self.demo_teacher,
                occurred_on=self._weekday(today - datetime.timedelta(days=120)),
                status=RecordStatus.PUBLISHED,
            ),
            self._plan_record(
                "S-ARBITRARY-FEES",
                home,
                school=home.school,
                occurred_on=self._weekday(today - datetime.timedelta(days=300)),
                status=RecordStatus.PUBLISHED,
            ),
        ]
        # Published long enough ago (more than the item's 90 days) to be repaired today.
        self.to_repair: list[CreditRecord] = [plans[-1].record]
        colleagues = [t for t in home.teachers if t is not self.demo_teacher]
        if colleagues:
            plans.append(
                self._plan_record(
                    "T-PAID-TUTORING",
                    home,
                    teacher=colleagues[-1],
                    occurred_on=self._weekday(today - datetime.timedelta(days=200)),
                    status=RecordStatus.PUBLISHED,
                )
            )
            self.to_repair.append(plans[-1].record)
        training = next((p for p in self.plans if p.kind == Kind.TRAINING), None)
        if training is not None:
            plans.append(
                self._plan_record(
                    "S-ILLEGAL-OPERATION",
                    training,
                    school=training.school,
                    occurred_on=self._weekday(today - datetime.timedelta(days=150)),
                    status=RecordStatus.PUBLISHED,
                )
            )
        forger = self._forger()
        if forger is not None:
            plan, teacher, degree = forger
            record_plan = self._plan_record(
                "T-CREDENTIAL-FRAUD",
                plan,
                teacher=teacher,
                occurred_on=self._weekday(today - datetime.timedelta(days=90)),
                status=RecordStatus.PUBLISHED,
            )
            record_plan.record.narrative = self._narrative(
                "T-CREDENTIAL-FRAUD",
                plan,
                record_plan.record.occurred_on,
                teacher=teacher,
                cert=degree.certificate_number,
            )
            plans.append(record_plan)
        # Fixed-story records are the file's anchors; points stay at the catalog default.
        for p in plans:
            p.record.points = p.record.item.default_points
            p.record.points_reason = ""
        return plans

    def _forger(self) -> tuple[_SchoolPlan, Teacher, Degree] | None:
        """One teacher of a school other than the demo schools whose degree proved forged."""
        candidates = [
            (p, t)
            for p in self.plans
            if p is not self.home and p is not self.home2 and p.kind != Kind.TRAINING
            for t in p.teachers[2:]
        ]
        if len(self.teachers) < 20 or not candidates:
            return None
        plan, teacher = self.rng.choice(candidates)
        degree = Degree.objects.filter(teacher=teacher).order_by("-graduated_on").first()
        degree.verification_status = Verification.FORGED
        degree.verified_by = self.users["bureau"]
        degree.verified_at = self.at(self.today - datetime.timedelta(days=95))
        degree.verification_note = "学信网无此证书记录，发证院校复函确认非该校颁发。"
        degree.save()
        return plan, teacher, degree

    def _weekday(self, day: datetime.date) -> datetime.date:
        while day.weekday() >= 5:
            day -= datetime.timedelta(days=1)
        return max(day, self.history_starts)

    def _notices(self, plans: list[_RecordPlan]) -> None:
        """What ``publish_record`` would have told the demo users; old ones already read."""
        notices = []
        for plan in plans:
            record = plan.record
            if plan.notify is None:
                continue
            published_on = timezone.localdate(record.published_at)
            notices.append(
                Notice(
                    recipient=plan.notify,
                    title=f"新的信用记录已公布：{record.item.name}",
                    body=(
                        f"{record.occurred_on:%Y-%m-%d} {record.item.name}（{record.points:+.2f}分）。"
                        f"如有异议，请于公布之日起{rules.OBJECTION_WINDOW_DAYS}日内提出。"
                    ),
                    url=reverse("record_detail", args=[record.pk]),
                    read_at=record.published_at + datetime.timedelta(days=1)
                    if (self.today - published_on).days > 10
                    else None,
                )
            )
        Notice.objects.bulk_create(notices)

    # 9. what happens today, through the services --------------------------------------------------

    def run_today(self) -> None:
        """Publications, objections, decisions, a repair and complaint clues, done by the demo
        users through the evaluations services with their permission checks."""
        users = self.users
        bureau, principal, principal2 = users["bureau"], users["principal"], users["principal2"]
        teacher_user = users["teacher"]
        home, home2 = self.home, self.home2

        def published(
            by, subject, code: str, days_ago: int, plan: _SchoolPlan, source=RecordSource.ROUTINE
        ) -> CreditRecord:
            day = self._weekday(self.today - datetime.timedelta(days=days_ago))
            office, number = self._decision(code, source, day, student=isinstance(subject, Student))
            record = record_services.propose_record(
                by=by,
                subject=subject,
                item=self.items[code],
                occurred_on=day,
                deciding_office=office,
                document_number=number,
                narrative=self._narrative(
                    code,
                    plan,
                    day,
                    teacher=subject if isinstance(subject, Teacher) else None,
                    student=subject if isinstance(subject, Student) else None,
                ),
                source=source,
            )
            record = record_services.approve_record(record=record, by=bureau)
            return record_services.publish_record(record=record, by=bureau)

        # Open objections: the teacher about a record on themself, each principal for their school.
        record = published(principal, self.demo_teacher, "T-GIFTS", 9, home)
        dispute_services.file_objection(
            record=record,
            by=teacher_user,
            reason="所谓购物卡系家长委员会统一购买的班级活动物品，本人未收受个人礼品，附班级账目说明。",
        )
        student = self._class_student(self.demo_class)
        if student is not None:
            record = published(teacher_user, student, "ST-EXAM-CHEATING", 6, home)
            dispute_services.file_objection(
                record=record,
                by=principal,
                reason="经学校复核监控录像，该生所持纸条为草稿纸，并非考试资料，请求复查。",
            )
        record = published(bureau, home2.school, "S-TEACHING-MATERIALS", 12, home2)
        dispute_services.file_objection(
            record=record,
            by=principal2,
            reason="所涉教辅资料系家长自愿在书店购买，学校未统一征订，附家长说明及收据。",
        )
        # Decided objections: revoked, upheld, amended.
        decided = [
            (principal2, home2, self._colleague(home2), "T-PAID-TUTORING", ObjectionStatus.REVOKED),
            (principal, home, home.school, "S-DISCLOSURE", ObjectionStatus.UPHELD),
            (principal, home, self._colleague(home), "T-GIFTS", ObjectionStatus.AMENDED),
        ]
        reasons = {
            ObjectionStatus.REVOKED: "经复查，补课系学校组织的公益性课后服务，未收取费用，原记录撤销。",
            ObjectionStatus.UPHELD: "经复查，学校确未在规定时间内公示收费标准，异议不成立，维持原记录。",
            ObjectionStatus.AMENDED: "经复查，礼品价值较原认定为低且已主动退还，分值更正为-4分。",
        }
        for actor, plan, subject, code, outcome in decided:
            record = published(bureau, subject, code, 14, plan, source=RecordSource.INSPECTION)
            objection = dispute_services.file_objection(
                record=record, by=actor, reason="对认定事实有异议，请求复查。相关说明材料已提交。"
            )
            dispute_services.decide_objection(
                objection=objection,
                by=bureau,
                outcome=outcome,
                reason=reasons[outcome],
                points=Decimal("-4.00") if outcome == ObjectionStatus.AMENDED else None,
            )
        self._work_in_progress()
        # Credit repair: one approved, one waiting for the bureau.
        application = dispute_services.apply_for_repair(
            record=self.to_repair[0],
            by=principal,
            proof_kind=RepairProof.COMMITMENT,
            proof="已全额退还违规收取的费用，召开全体教职工会议整改，并签署信用承诺书。",
        )
        dispute_services.decide_repair(
            application=application,
            by=bureau,
            approve=True,
            reason="整改到位，退费凭证齐全，已过最短修复期限，同意信用修复。",
        )
        if len(self.to_repair) > 1:
            dispute_services.apply_for_repair(
                record=self.to_repair[1],
                by=principal,
                proof_kind=RepairProof.TRAINING,
                proof="当事教师已退还补课费用，参加师德师风专题培训并取得结业证明。",
            )
        self.create_clues()
        self.say(
            gettext("今日业务：异议%(objections)s，修复申请%(repairs)s，信访线索%(clues)s")
            % {
                "objections": Objection.objects.count(),
                "repairs": RepairApplication.objects.count(),
                "clues": ComplaintClue.objects.count(),
            }
        )

    def _work_in_progress(self) -> None:
        """Whatever the seed drew, the portals show a draft, a returned record and an approved
        one waiting for publication (a submitted one comes from the substantiated clue)."""
        users, home, home2 = self.users, self.home, self.home2
        day = self._weekday(self.today - datetime.timedelta(days=2))
        record_services.propose_record(
            by=users["principal"],
            subject=home.school,
            item=self.items["S-DISCLOSURE"],
            occurred_on=day,
            narrative=self._narrative("S-DISCLOSURE", home, day),
            source=RecordSource.SELF_REPORT,
            submit=False,
        )
        student = self._class_student(self.demo_class, last=True)
        if student is not None:
            record = record_services.propose_record(
                by=users["teacher"],
                subject=student,
                item=self.items["ST-COPYING-HOMEWORK"],
                occurred_on=day,
                narrative="该生作业抄袭。",
            )
            record_services.return_record(
                record=record,
                by=users["bureau"],
                reason="事实陈述过于简单，请补充作业科目、次数及与家长沟通情况后重新提交。",
            )
        student = self._class_student(home2.classes[0].classroom if home2.classes else None)
        if student is not None:
            record = record_services.propose_record(
                by=users["principal2"],
                subject=student,
                item=self.items["ST-RETURNING-LOST-PROPERTY"],
                occurred_on=day,
                narrative=self._narrative(
                    "ST-RETURNING-LOST-PROPERTY", home2, day, student=student
                ),
            )
            record_services.approve_record(record=record, by=users["bureau"])

    def _class_student(self, classroom: Classroom | None, *, last: bool = False) -> Student | None:
        if classroom is None:
            return None
        order = "-student_number" if last else "student_number"
        return Student.objects.filter(classroom=classroom).order_by(order).first()

    def _colleague(self, plan: _SchoolPlan) -> Teacher:
        """A teacher of the school who is neither its principal nor the demo teacher."""
        return next((t for t in plan.teachers[1:] if t is not self.demo_teacher), plan.teachers[0])

    def create_clues(self) -> None:
        bureau, inspector = self.users["bureau"], self.users["inspector"]
        home2 = self.home2
        secondary = (Kind.JUNIOR, Kind.COMPLETE_SECONDARY, Kind.SENIOR, Kind.NINE_YEAR)
        others = [p for p in self.plans if p not in (self.home, home2) and p.kind in secondary]
        target = self._colleague(others[0] if others else home2)
        clue = clue_services.receive_clue(
            channel=ClueChannel.HOTLINE,
            subject_description=f"{target.school.name}教师{target.name}",
            content="家长来电反映该教师在暑假期间组织学生到其亲属家中补课，每人收费800元。",
            by=bureau,
            teacher=target,
            reporter_name="匿名家长",
        )
        clue = clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)
        clue_services.add_clue_note(
            clue=clue,
            by=inspector,
            text="已走访补课地点周边住户，初步了解到暑期确有学生出入，待进一步核实收费情况。",
        )
        training = next((p for p in self.plans if p.kind == Kind.TRAINING), None)
        if training is not None:
            clue = clue_services.receive_clue(
                channel=ClueChannel.PUBLIC,
                subject_description=training.school.name,
                content="该机构宣传“一对一保提分”，报名后不退费，家长多次交涉无果。",
                school=training.school,
                reporter_name="王女士",
                reporter_contact=self.mobile(),
            )
            clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)
        # Substantiated: the inspector proposes a record that now waits for the bureau.
        substantiated_target = home2.teachers[-1]
        clue = clue_services.receive_clue(
            channel=ClueChannel.STAFF,
            subject_description=f"{home2.school.name}教师{substantiated_target.name}",
            content="督查组暗访发现该教师在校外培训机构兼职授课并收取报酬。",
            by=bureau,
            teacher=substantiated_target,
        )
        clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)
        clue_services.close_clue(
            clue=clue,
            by=inspector,
            substantiated=True,
            conclusion=(
                f"经查，{substantiated_target.name}每周末在校外培训机构有偿授课，收取报酬约6000元，"
                "事实清楚，建议按有偿补课登记失信记录。"
            ),
            item=self.items["T-PAID-TUTORING"],
            occurred_on=self._weekday(self.today - datetime.timedelta(days=20)),
        )
        # Unsubstantiated, and one not yet assigned.
        clue = clue_services.receive_clue(
            channel=ClueChannel.PUBLIC,
            subject_description=self.home.school.name,
            content="反映学校食堂伙食费收费偏高。",
            school=self.home.school,
        )
        clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)
        clue_services.close_clue(
            clue=clue,
            by=inspector,
            substantiated=False,
            conclusion="经查，食堂伙食费按物价部门核定标准收取并已公示，反映问题不属实。",
        )
        clue_services.receive_clue(
            channel=ClueChannel.HOTLINE,
            subject_description=f"{home2.school.name}",
            content="反映学校要求学生统一购买指定品牌的练习册。",
            school=home2.school,
            reporter_name="李先生",
        )

    # 10. the annual assessment -----------------------------------------------------------------------

    # 9. schools' own integrity work -----------------------------------------------------------

    def _activity_photos(self, bureau, *, activities: int = 6) -> None:
        """Photos of the latest public activities, for the news pages: drawn, not taken (a
        hall, a banner and rows of people), one to three each. Their own generator, so the rest
        of the district is the same whatever is drawn here."""
        draw_rng = random.Random(self.seed + 7)
        latest = school_selectors.public_activities().order_by("-held_on", "-id")[:activities]
        for activity in latest:
            for n in range(draw_rng.randint(1, 3)):
                school_services.add_activity_photo(
                    activity=activity,
                    by=bureau,
                    uploaded_file=_drawn_photo(draw_rng, f"activity-{activity.pk}-{n + 1}.jpg"),
                )

    def create_integrity_work(self) -> None:
        """Activities in both years (the bureau excluded one), last year's checklists, this
        year's self-assessments of about half the schools (the demo principal's school still has
        to file), and the yearly pledge in every class, about two thirds acknowledged."""
        bureau = self.users["bureau"]
        activities = []
        for plan in self.plans:
            for year, first, last in (
                (self.previous_year, self.history_starts, datetime.date(self.year, 8, 31)),
                (self.year, datetime.date(self.year, 9, 1), self.today),
            ):
                for _ in range(self.rng.randint(1 if year == self.year else 3, 8)):
                    kind, title, who = self.rng.choice(ACTIVITY_TEMPLATES)
                    activities.append(
                        IntegrityActivity(
                            school=plan.school,
                            kind=kind,
                            title=title,
                            held_on=self.day_between(first, last),
                            year=year,
                            participants=who,
                            participant_count=self.rng.randint(30, 900),
                            description=f"{plan.school.name}组织开展{title}。",
                            recorded_by=bureau,
                        )
                    )
        activities[self.rng.randrange(len(activities))].excluded_reason = "活动照片与内容不符"
        copy_create(IntegrityActivity, activities)
        self._activity_photos(bureau)

        checklists = [
            OperationChecklist(school=p.school, year=self.previous_year, kind=kind, filed_by=bureau)
            for p in self.plans
            for kind in ChecklistKind.values
        ]
        copy_create(OperationChecklist, checklists)
        ChecklistEntry.objects.bulk_create(
            (
                ChecklistEntry(checklist=checklist, area=area, passed=True)
                for checklist in checklists
                for area in ChecklistArea.values
            ),
            batch_size=2000,
        )
        filing = [p for p in self.plans if p is not self.home and self.rng.random() < 0.5]
        for plan in filing:
            results = {area: (True, "") for area in ChecklistArea.values}
            if self.rng.random() < 0.2:
                area = self.rng.choice(ChecklistArea.values)
                results[area] = (False, CHECKLIST_FINDINGS[area])
            school_services.file_checklist(
                by=bureau,
                school=plan.school,
                year=self.year,
                kind=ChecklistKind.SELF_ASSESSMENT,
                results=results,
                note="按要求逐项自查。",
            )

        pledges = [
            Pledge(
                kind=PledgeKind.YEARLY,
                classroom=c.classroom,
                year=self.year,
                text=DEFAULT_PLEDGE_TEXT[PledgeKind.YEARLY],
                issued_by=bureau,
            )
            for p in self.plans
            for c in p.classes
        ]
        copy_create(Pledge, pledges)
        by_class = {pledge.classroom_id: pledge for pledge in pledges}
        slips = []
        codes: set[str] = set()
        for student_pk, classroom_pk in Student.objects.filter(
            classroom__isnull=False, file_frozen_at__isnull=True
        ).values_list("pk", "classroom_id"):
            code = new_pledge_code(self.rng, codes)
            acknowledged = self.rng.random() < 0.65
            slips.append(
                PledgeSlip(
                    pledge=by_class[classroom_pk],
                    student_id=student_pk,
                    code=code,
                    acknowledged_at=self.at(self.today) if acknowledged else None,
                    acknowledged_by=self.rng.choice(Acknowledger.values) if acknowledged else "",
                )
            )
        copy_create(PledgeSlip, slips)
        self.say(
            gettext("诚信教育活动：%(activities)s；自查表：%(checklists)s；承诺书回执：%(slips)s")
            % {
                "activities": len(activities),
                "checklists": len(checklists) + len(filing),
                "slips": len(slips),
            }
        )

    def assess(self) -> dict[int, int]:
        results = {}
        for year in (self.previous_year, self.year):
            summary = recompute_year(year=year)
            results[year] = summary.subjects
            grades = "，".join(f"{g}：{n}" for g, n in sorted(summary.by_grade.items()))
            self.say(
                gettext("%(year)s考核结果：%(subjects)s（%(grades)s）")
                % {
                    "year": academic_year_label(year),
                    "subjects": summary.subjects,
                    "grades": grades,
                }
            )
        return results

    # the logins ----------------------------------------------------------------------------------------

    def logins(self) -> list[DemoLogin]:
        assigned = ComplaintClue.objects.filter(assigned_to=self.users["inspector"]).count()
        teacher_acts = f"{self.demo_teacher.name}，{self.home.school.name}"
        if self.demo_class is not None:
            teacher_acts += gettext("%(demo_class)s班主任") % {"demo_class": self.demo_class}
        return [
            DemoLogin("admin", DEMO_PASSWORD, Role.BUREAU_ADMIN, gettext("全区（超级用户）")),
            DemoLogin("bureau", DEMO_PASSWORD, Role.BUREAU_ADMIN, gettext("全区")),
            DemoLogin(
                "inspector",
                DEMO_PASSWORD,
                Role.INSPECTOR,
                gettext("分派的信访线索%(count)s条") % {"count": assigned},
            ),
            DemoLogin("principal", DEMO_PASSWORD, Role.PRINCIPAL, self.home.school.name),
            DemoLogin("principal2", DEMO_PASSWORD, Role.PRINCIPAL, self.home2.school.name),
            DemoLogin("teacher", DEMO_PASSWORD, Role.TEACHER, teacher_acts),
        ]


class _SchoolNames:
    """Realistic, unique school names: 实验小学, 第三中学, 育才培训学校 … then numbered ones."""

    SUFFIX = {
        Kind.KINDERGARTEN: "幼儿园",
        Kind.PRIMARY: "小学",
        Kind.JUNIOR: "中学",
        Kind.NINE_YEAR: "学校",
        Kind.COMPLETE_SECONDARY: "中学",
        Kind.SENIOR: "高级中学",
        Kind.VOCATIONAL: "职业学校",
        Kind.TRAINING: "培训学校",
    }

    def __init__(self, district: str, per_kind: dict[str, int]):
        self.d = district
        self.used: set[str] = set()
        self.index: Counter[str] = Counter()
        # 第N中学 numbers are shared: the complete secondary schools are the old 第一、第二中学.
        self.junior_from = per_kind.get(Kind.COMPLETE_SECONDARY, 0) + 1
        self.lists = {
            (Kind.KINDERGARTEN, False): ["实验幼儿园", "第一幼儿园", "第二幼儿园", "机关幼儿园"],
            (Kind.KINDERGARTEN, True): ["小太阳幼儿园", "童之梦幼儿园", "启明星幼儿园", "金色摇篮幼儿园"],
            (Kind.PRIMARY, False): ["实验小学", "第一小学", "第二小学", "第三小学"]
            + [f"{place}小学" for place in PLACES],
            (Kind.PRIMARY, True): ["育英小学", "博文小学"],
            (Kind.NINE_YEAR, False): ["实验学校"] + [f"{place}学校" for place in PLACES],
            (Kind.SENIOR, False): ["高级中学"],
            (Kind.VOCATIONAL, False): ["职业中专学校", "职业技术学校", "艺术职业学校"],
            (Kind.TRAINING, True): [
                "育才培训学校", "启航教育培训学校", "博学艺术培训学校", "英才学科培训学校",
                "星火编程培训学校", "墨香书法培训学校", "乐之声音乐培训学校", "新起点文化培训学校",
            ],
        }  # fmt: skip

    def next(self, kind: str, private: bool) -> str:
        self.index[kind] += 1
        n = self.index[kind]
        suffix = self.SUFFIX[kind]
        if kind == Kind.JUNIOR:
            n += self.junior_from - 1
        listed = [name for name in self.lists.get((kind, private), []) if self._free(name)]
        name = self.d + (listed[0] if listed else f"第{chinese_number(n)}{suffix}")
        while name in self.used:  # a numbered name can meet a listed one
            n += 1
            name = f"{self.d}第{chinese_number(n)}{suffix}"
        self.used.add(name)
        return name

    def _free(self, name: str) -> bool:
        return self.d + name not in self.used


# --- entry point ---------------------------------------------------------------------------------


def _drawn_photo(rng: random.Random, name: str) -> SimpleUploadedFile:
    """A small JPEG of an event: a wall, a red banner, a stage and rows of seated people."""
    width, height = 640, 420
    wall = tuple(rng.randint(200, 240) for _ in range(3))
    image = Image.new("RGB", (width, height), wall)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, width, height), fill=(150, 120, 90))  # floor
    draw.rectangle((120, 40, 520, 100), fill=(190, 30, 40))  # banner
    draw.rectangle((200, 150, 440, 300), fill=(120, 80, 60))  # lectern and stage
    for row in range(3):
        for seat in range(12):
            x = 20 + seat * 52 + rng.randint(-4, 4)
            y = 320 + row * 34
            colour = rng.choice([(40, 60, 140), (230, 230, 230), (30, 30, 30), (200, 60, 60)])
            draw.ellipse((x, y - 22, x + 18, y - 4), fill=(235, 200, 170))  # head
            draw.rectangle((x - 4, y - 4, x + 22, y + 24), fill=colour)  # shoulders
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def build_demo_district(
    *,
    seed: int = 2019,
    schools: int = 30,
    teachers: int = 600,
    students: int = 6000,
    stdout: TextIO | None = None,
    verify: bool = True,
) -> DemoSummary:
    """Build the demo district into an empty database, all in one transaction (``verify``: walk
    the ledger chain at the end; the full-size district walks it once, after its history).

    Raises :class:`DemoDataExists` when a school already exists: the demo never mixes with real
    (or earlier demo) data. Returns what was built, how long it took and the demo logins.
    """
    started = time.perf_counter()
    with transaction.atomic():
        if district_has_data():
            raise DemoDataExists(gettext("数据库中已有学校数据，演示数据只能导入空数据库"))
        builder = _DistrictBuilder(
            seed=seed, schools=schools, teachers=teachers, students=students, stdout=stdout
        )
        builder.create_users()
        builder.create_schools()
        builder.plan_classes()
        builder.create_teachers()
        builder.create_leading_groups()
        builder.create_students()
        builder.link_accounts()
        builder.create_records()
        builder.run_today()
        builder.create_integrity_work()
        results = builder.assess()
        check = verify_chain() if verify else None
        if check is not None and not check.ok:  # pragma: no cover - a bug here or in the ledger
            raise RuntimeError(f"demo ledger does not verify: {check.problem}")
        logins = builder.logins()
    records = Counter(CreditRecord.objects.values_list("status", flat=True))
    counts = {
        "schools": School.objects.count(),
        "leading_group_members": LeadingGroupMember.objects.count(),
        "teachers": Teacher.objects.count(),
        "postings": Posting.objects.count(),
        "degrees": Degree.objects.count(),
        "classrooms": Classroom.objects.count(),
        "students": Student.objects.count(),
        "guardians": Guardian.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "credit_records": sum(records.values()),
        **{f"records_{status}": n for status, n in sorted(records.items())},
        "ledger_entries": LedgerEntry.objects.count(),
        "objections": Objection.objects.count(),
        "open_objections": Objection.objects.filter(status=ObjectionStatus.OPEN).count(),
        "repair_applications": RepairApplication.objects.count(),
        "complaint_clues": ComplaintClue.objects.count(),
        "notices": Notice.objects.count(),
        **{f"results_{year}": n for year, n in results.items()},
        "assessment_results": AssessmentResult.objects.count(),
    }
    return DemoSummary(
        seed=seed,
        counts=counts,
        logins=logins,
        seconds=time.perf_counter() - started,
        ledger_links=check.checked if check is not None else 0,
        years=sorted(results),
    )
