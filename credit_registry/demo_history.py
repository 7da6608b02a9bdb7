"""The demo district's history: two academic years of credit records with their decisions,
objections and repairs, what happens "today" through the services as the demo users, complaint
clues, and the schools' own integrity work (activities, checklists, pledges).

:class:`HistoryBuilder` is the second half of the demo builder (``credit_registry.demo``): it
runs once the people exist, reading the builder's state (its random generator, today, the schools,
teachers, students, users) and its small helpers (``at``, ``day_between``, ``mobile``, ``say``).
The people are made in ``credit_registry.demo``, which this module does not import.
"""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image, ImageDraw

from credit_registry import rules
from credit_registry.common.bulk import copy_create
from credit_registry.common.years import academic_year_label, academic_year_of
from evaluations.assessment import services as assessment_services
from evaluations.clues import services as clue_services
from evaluations.disputes import services as dispute_services
from evaluations.models import (
    ClueChannel,
    ComplaintClue,
    CreditRecord,
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
from evaluations.records.ledger import append_publications_bulk
from evaluations.schoolwork import services as school_services
from schools import selectors as school_selectors
from schools.models import (
    ChecklistArea,
    ChecklistEntry,
    ChecklistKind,
    IntegrityActivity,
    OperationChecklist,
    Ownership,
    School,
)
from schools.models import SchoolKind as Kind
from students.models import (
    Acknowledger,
    Classroom,
    Pledge,
    PledgeKind,
    PledgeSlip,
    Student,
)
from students.services import DEFAULT_PLEDGE_TEXT, new_pledge_code
from teachers.models import Degree, Teacher
from teachers.models import VerificationStatus as Verification

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


class _PlannedSchool(Protocol):
    """What the history reads of the builder's plan of a school (``demo._SchoolPlan``)."""

    @property
    def school(self) -> School: ...

    @property
    def teachers(self) -> list[Teacher]: ...

    @property
    def classes(self) -> Sequence[Any]: ...


@dataclass
class _RecordPlan:
    record: CreditRecord
    notify: Any = None  # the demo user told about it, if any


class HistoryBuilder:
    """The steps of the demo builder that write the district's history."""

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
        plan: _PlannedSchool,
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

    def _recorder(self, source: str, plan: _PlannedSchool, student: Student | None):
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
        plan: _PlannedSchool,
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

    def _forger(self) -> tuple[_PlannedSchool, Teacher, Degree] | None:
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
            by, subject, code: str, days_ago: int, plan: _PlannedSchool, source=RecordSource.ROUTINE
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

    def _colleague(self, plan: _PlannedSchool) -> Teacher:
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

    # 10. schools' own integrity work ----------------------------------------------------------

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
