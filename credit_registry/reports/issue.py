"""One function per report: gather its data, typeset it with a fresh verification code.

Callers (the report views, the batch task) decide beforehand who may have which report; these
functions only produce it. The public description stored with the code never carries a full
name, and never any name of a student.
"""

from django.conf import settings

from credit_registry.common.years import academic_year_label
from credit_registry.models import DocumentKind, ReportBatch
from credit_registry.reports import data
from credit_registry.reports.documents import IssuedPdf, issue_pdf
from schools.models import School
from students.models import Student
from teachers.models import Teacher


def teacher_file_pdf(
    *,
    teacher: Teacher,
    by,
    base_url: str,
    batch: ReportBatch | None = None,
    eligibility: list | None = None,
) -> IssuedPdf:
    context = data.teacher_file(teacher, eligibility=eligibility)
    teacher = context["teacher"]
    return issue_pdf(
        kind=DocumentKind.TEACHER_FILE,
        title=DocumentKind.TEACHER_FILE.label,
        subject_description=data.teacher_subject_description(teacher),
        subject_key=f"teacher:{teacher.pk}",
        template="reports/teacher_file.html",
        context=context,
        by=by,
        base_url=base_url,
        filename_stem=f"教师师德诚信档案_{teacher.name}",
        batch=batch,
    )


def student_file_pdf(*, student: Student, by, base_url: str) -> IssuedPdf:
    context = data.student_file(student)
    student = context["student"]
    return issue_pdf(
        kind=DocumentKind.STUDENT_FILE,
        title=DocumentKind.STUDENT_FILE.label,
        subject_description=data.student_subject_description(student),
        subject_key=f"student:{student.pk}",
        template="reports/student_file.html",
        context=context,
        by=by,
        base_url=base_url,
        filename_stem=f"学生诚信档案_{student.name}_{student.student_number[-4:]}",
    )


def school_report_pdf(
    *, school: School, year: int, by, base_url: str, batch: ReportBatch | None = None
) -> IssuedPdf:
    context = data.school_report(school, year)
    title = f"{academic_year_label(year)}{DocumentKind.SCHOOL_REPORT.label}"
    return issue_pdf(
        kind=DocumentKind.SCHOOL_REPORT,
        title=title,
        subject_description=data.school_subject_description(school, year),
        subject_key=f"school:{school.pk}",
        template="reports/school_report.html",
        context=context,
        by=by,
        base_url=base_url,
        filename_stem=f"{school.name}_{title}",
        year=year,
        batch=batch,
    )


def district_report_pdf(*, year: int, by, base_url: str) -> IssuedPdf:
    district = settings.REGISTRY_DISTRICT_NAME
    context = data.district_report(year)
    title = f"{district}{academic_year_label(year)}教育系统信用体系建设年度报告"
    return issue_pdf(
        kind=DocumentKind.DISTRICT_REPORT,
        title=title,
        subject_description=data.district_subject_description(district, year),
        subject_key=f"district:{year}",
        template="reports/district_report.html",
        context=context,
        by=by,
        base_url=base_url,
        filename_stem=title,
        year=year,
    )
