"""The workbench on the admin index: each queue with its count and the link to its list (the
list shows the same rows under the same filter), the year at a glance, and the tasks of the
annual cycle in order with where to do each.

The figures come from ``evaluations.workbench.selectors``; this module only names them and
links them to pages.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from credit_registry import access
from credit_registry.common.years import academic_year_label
from evaluations.models import Grade, RecordStatus
from evaluations.workbench import selectors


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Queue:
    label: str
    count: int
    url: str
    urgent: bool = False  # shown in red when anything waits


@dataclass(frozen=True)
class Step:
    number: int
    label: str
    done: bool
    status: str
    links: list[Link]


def changelist(model: str, **filters) -> str:
    """The admin list of ``app_label.model_name`` under ``filters`` (its list filters' names)."""
    app_label, model_name = model.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _queues(user) -> list[Queue]:
    counts = selectors.queues(user)
    rows = [
        (
            _("待审核的信用记录"),
            counts.to_review,
            changelist("evaluations.creditrecord", status__exact=RecordStatus.SUBMITTED),
            False,
        ),
        (
            _("待公布的信用记录"),
            counts.to_publish,
            changelist("evaluations.creditrecord", status__exact=RecordStatus.APPROVED),
            False,
        ),
        (
            _("处理中的异议"),
            counts.objections_open,
            changelist("evaluations.objection", deadline="open"),
            False,
        ),
        (
            _("两个工作日内到期的异议"),
            counts.objections_due_soon,
            changelist("evaluations.objection", deadline="soon"),
            True,
        ),
        (
            _("已超期的异议"),
            counts.objections_overdue,
            changelist("evaluations.objection", deadline="overdue"),
            True,
        ),
        (
            _("待审批的信用修复申请"),
            counts.repairs_pending,
            changelist("evaluations.repairapplication", status__exact="pending"),
            False,
        ),
        (
            _("待分派的投诉举报线索"),
            counts.clues_unassigned,
            changelist("evaluations.complaintclue", status__exact="received"),
            False,
        ),
        (
            _("调查中的线索"),
            counts.clues_investigating,
            changelist("evaluations.complaintclue", status__exact="assigned"),
            False,
        ),
        (
            _("被退回的信用记录"),
            counts.returned_records,
            changelist("evaluations.creditrecord", status__exact=RecordStatus.RETURNED),
            False,
        ),
        (
            _("正在生成的报告批次"),
            counts.batches_running,
            changelist("credit_registry.reportbatch", status__in="queued,running"),
            False,
        ),
    ]
    return [
        Queue(label=label, count=count, url=url, urgent=urgent)
        for label, count, url, urgent in rows
        if count is not None
    ]


def _cycle(year: int) -> list[Step]:
    """The annual cycle's steps, with a status in words and the pages where each is done."""
    steps = {step.key: step for step in selectors.annual_cycle(year)}
    year_filter = {"year__year__exact": year}
    plan = [
        (
            "open",
            _("开设学年并确定考核政策"),
            _("已有%(policies)d个考核政策版本"),
            [
                Link(_("考核学年"), changelist("evaluations.assessmentyear")),
                Link(_("考核政策"), changelist("evaluations.assessmentpolicy", **year_filter)),
            ],
        ),
        (
            "import",
            _("导入学校、教师、学生名册"),
            _("在办学校%(schools)d所"),
            [
                Link(_("导入学校"), reverse("admin:schools_school_import")),
                Link(_("导入教师"), reverse("admin:teachers_teacher_import")),
                Link(_("导入学生"), reverse("admin:students_student_import")),
            ],
        ),
        (
            "rounds",
            _("开展诚信测评"),
            _("已建立%(rounds)d轮测评"),
            [Link(_("测评轮次"), changelist("evaluations.evaluationround", **year_filter))],
        ),
        (
            "assess",
            _("年度考核"),
            _("已有%(results)d条考核结果"),
            [
                Link(_("年度考核结果"), changelist("evaluations.assessmentresult", **year_filter)),
                Link(
                    _("目标考核与年检"),
                    f"{reverse('admin:schools_operationchecklist_standings')}?year={year}",
                ),
            ],
        ),
        (
            "publish",
            _("公布信用记录和红黑名单"),
            _("已公布%(published)d条信用记录"),
            [
                Link(
                    _("待公布的记录"),
                    changelist("evaluations.creditrecord", status__exact=RecordStatus.APPROVED),
                ),
                Link(_("诚信红名单"), reverse("public:red_list")),
                Link(_("失信黑名单"), reverse("public:black_list")),
            ],
        ),
        (
            "report",
            _("出具年度报告和诚信档案"),
            _("已完成%(batches)d个报告批次"),
            [
                Link(_("报告与档案"), reverse("reports:index")),
                Link(_("报告批次"), changelist("credit_registry.reportbatch")),
                Link(_("已出具文件"), changelist("credit_registry.issueddocument")),
            ],
        ),
        (
            "close",
            _("关闭学年"),
            "",
            [Link(_("考核学年"), changelist("evaluations.assessmentyear"))],
        ),
    ]
    return [
        Step(
            number=number,
            label=label,
            done=steps[key].done,
            status=(status % steps[key].detail if status else "")
            or (_("已完成") if steps[key].done else _("未完成")),
            links=links,
        )
        for number, (key, label, status, links) in enumerate(plan, start=1)
    ]


def workbench_context(request) -> dict:
    """What the admin index shows: everything for a bureau admin, an inspector's queues only."""
    user = request.user
    context = {"queues": _queues(user)}
    if not access.is_bureau(user):
        return context
    year = selectors.current_year()
    glance = selectors.year_at_a_glance(year)
    return {
        **context,
        "year_label": academic_year_label(year),
        "records_by_status": [
            (label, count, changelist("evaluations.creditrecord", year=year, status__exact=value))
            for (value, label), (_label, count) in zip(
                RecordStatus.choices, glance.records_by_status, strict=True
            )
            if count
        ],
        "grades": Grade.choices,
        "grades_by_school_kind": [
            (kind, [counts.get(grade, 0) for grade, _label in Grade.choices])
            for kind, counts in glance.grades_by_school_kind
        ],
        "schools_without_self_assessment": glance.schools_without_self_assessment,
        "schools_without_self_assessment_url": changelist(
            "schools.school", no_self_assessment=year
        ),
        "schools_active": glance.schools_active,
        "cycle": _cycle(year),
    }
