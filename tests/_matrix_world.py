"""The shared world of the access-control matrix (tests/test_access_matrix.py).

Two schools, A and B, each with a principal account, a plain teacher, a class teacher heading a
class with a student, and published records about each subject; a second class in school A (a
colleague's) for "another person" cases; an objection with a file, evidence files, a complaint clue
(with a photo) about school A assigned to the inspector, an open evaluation round with its tasks and one-time codes,
an issued document, a report batch and a queued single-document job of each account. Built once per module through the factories and services.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from credit_registry.access import Role
from credit_registry.audit import log_access
from credit_registry.models import (
    AccessAction,
    BatchKind,
    BatchStatus,
    DocumentJob,
    DocumentKind,
    IssuedDocument,
    ReportBatch,
)
from credit_registry.reports.documents import new_code
from evaluations.clues import services as clue_services
from evaluations.disputes import services as dispute_services
from evaluations.models import ClueChannel, RaterAssignment, RaterGroup, RecordStatus, SubjectKind
from evaluations.records import services as record_services
from evaluations.rounds import selectors as evaluation_selectors
from evaluations.rounds import services as evaluation_services
from evaluations.schoolwork import services as school_services
from schools.models import ActivityKind, ChecklistArea, ChecklistKind, LeadingGroupMember
from students import services as student_services
from students.models import Enrolment, EnrolmentEvent, Guardian, PledgeKind
from teachers.models import Degree, Posting
from tests import factories

# Roles of the matrix. Students and parents have no account: they are anonymous clients that
# hold a one-time code (a survey code for their class).
ANONYMOUS = "anonymous"
STUDENT = "student"
PARENT = "parent"
TEACHER = "teacher"
CLASS_TEACHER = "class_teacher"
PRINCIPAL = "principal"
INSPECTOR = "inspector"
BUREAU = "bureau"
ROLES = (ANONYMOUS, STUDENT, PARENT, TEACHER, CLASS_TEACHER, PRINCIPAL, INSPECTOR, BUREAU)
CODE_ROLES = (STUDENT, PARENT)

# Cases: the acting role's own object, another person's object in the same school, an object
# of the other school. URLs without an object have the single case NONE.
OWN = "own"
OTHER_PERSON = "other_person"
OTHER_SCHOOL = "other_school"
NONE = "-"
OBJECT_CASES = (OWN, OTHER_PERSON, OTHER_SCHOOL)
SCHOOL_CASES = (OWN, OTHER_SCHOOL)

PDF = b"%PDF-1.4\n% evidence\n%%EOF\n"


@dataclass
class Side:
    """One school with its people, as seen from the roles of school A."""

    school: object
    principal: object
    teacher: object  # a plain teacher, no class
    head: object  # class teacher (班主任)
    classroom: object
    pupil: object
    records: dict = field(default_factory=dict)  # subject key -> published record
    evidence: dict = field(default_factory=dict)  # subject key -> (record, evidence)


@dataclass
class World:
    a: Side
    b: Side
    bureau: object
    inspector: object
    colleague_class: object  # a second class of school A, headed by the plain teacher
    colleague_pupil: object
    clue_a: object
    clue_b: object
    objection: object
    round: object
    codes: dict  # (school letter, group) -> valid code text; "used" -> a used code
    public_tokens: dict
    document: object
    batch: object
    activities: dict  # school letter -> activity with one photo
    pledges: dict  # school letter -> pledge of the class teacher's class; "other": colleague's
    parent_codes: dict  # school letter -> parent's code (in clear) for the side's pupil
    conduct_round: object  # the open students' round (班主任德育品行评价)
    document_jobs: dict  # user pk -> that user's queued job; "other": school B principal's

    def document_job(self, role: str, case: str):
        """Own: a job the acting user asked for; another person: school B's principal's."""
        if case == OWN and self.user(role) is not None:
            return self.document_jobs[self.user(role).pk]
        return self.document_jobs["other"]

    # --- who acts ---------------------------------------------------------------------------

    def user(self, role: str):
        return {
            TEACHER: self.a.teacher.user,
            CLASS_TEACHER: self.a.head.user,
            PRINCIPAL: self.a.principal,
            INSPECTOR: self.inspector,
            BUREAU: self.bureau,
        }.get(role)

    # --- objects per role and case ------------------------------------------------------------

    def teacher(self, role: str, case: str):
        """Own: the acting teacher themself (the plain teacher for roles that are not teachers,
        who is also the subject of the inspector's clue); another person: the other teacher of
        school A; the other school: school B's plain teacher."""
        me = self.a.head if role == CLASS_TEACHER else self.a.teacher
        if case == OTHER_SCHOOL:
            return self.b.teacher
        if case == OTHER_PERSON:
            return self.a.teacher if me == self.a.head else self.a.head
        return me

    def record(self, role: str, case: str):
        teacher = self.teacher(role, case)
        side = self.b if case == OTHER_SCHOOL else self.a
        return side.records[f"teacher:{teacher.pk}"]

    def evidence(self, role: str, case: str):
        teacher = self.teacher(role, case)
        side = self.b if case == OTHER_SCHOOL else self.a
        return side.evidence[f"teacher:{teacher.pk}"]

    def student(self, role: str, case: str):
        """Own: the class teacher's pupil (school A); another person: a pupil of another class
        of school A; the other school: school B's pupil."""
        return {OWN: self.a.pupil, OTHER_PERSON: self.colleague_pupil, OTHER_SCHOOL: self.b.pupil}[
            case
        ]

    def school(self, role: str, case: str):
        return self.b.school if case == OTHER_SCHOOL else self.a.school

    def assignment(self, role: str, case: str):
        """Own: a task this role answers (a teacher's self-evaluation, a principal's evaluation
        of the plain teacher); another person: someone else's task in school A; the other
        school: the same kind of task in school B."""
        tasks = RaterAssignment.objects.filter(round=self.round)
        if role == PRINCIPAL:
            if case == OTHER_PERSON:
                return tasks.get(group=RaterGroup.SELF, rater_teacher=self.a.teacher)
            side = self.b if case == OTHER_SCHOOL else self.a
            return tasks.get(group=RaterGroup.PRINCIPAL, ratee=side.teacher)
        teacher = self.teacher(role, case)
        return tasks.get(group=RaterGroup.SELF, rater_teacher=teacher)

    def classroom(self, role: str, case: str):
        """Own: the class teacher's class; another person: the colleague's class of school A;
        the other school: school B's class."""
        return {OWN: self.a.classroom, OTHER_PERSON: self.colleague_class}.get(
            case, self.b.classroom
        )

    def activity(self, role: str, case: str):
        return self.activities["b" if case == OTHER_SCHOOL else "a"]

    def pledge(self, role: str, case: str):
        return self.pledges[{OWN: "a", OTHER_PERSON: "other", OTHER_SCHOOL: "b"}[case]]

    def slip_code(self, role: str, case: str) -> str:
        """Own: a slip of the own class's pupil; another person: no such slip (a typed code
        that matches nothing); the other school: a slip of school B's pupil."""
        if case == OTHER_PERSON:
            return "2" * len(self.pledges["a"].slips.first().code)
        return self.pledge(role, case).slips.get().code

    def clue(self, role: str, case: str):
        return self.clue_b if case == OTHER_SCHOOL else self.clue_a


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile("照片.png", buffer.getvalue(), content_type="image/png")


def _side(letter: str, bureau) -> Side:
    school = factories.make_school(f"{letter}校")
    teacher = factories.make_teacher(school, f"{letter}校教师")
    head = factories.make_teacher(school, f"{letter}校班主任")
    classroom = factories.make_classroom(school, head_teacher=head, name=f"{letter}1班")
    pupil = factories.make_student(school, classroom, f"{letter}校学生")
    side = Side(
        school=school,
        principal=factories.make_principal(school, f"principal_{letter}"),
        teacher=teacher,
        head=head,
        classroom=classroom,
        pupil=pupil,
    )
    for subject in (school, teacher, head, pupil):
        code = {
            "school": "S-ARBITRARY-FEES",
            "teacher": "T-PAID-TUTORING",
            "student": "ST-COPYING-HOMEWORK",
        }[subject._meta.model_name]
        side.records[f"{subject._meta.model_name}:{subject.pk}"] = factories.make_record(
            subject, code, by=bureau
        )
    for subject in (teacher, head):
        record = factories.make_record(subject, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED)
        evidence = record_services.attach_evidence(
            record=record,
            by=bureau,
            uploaded_file=SimpleUploadedFile("材料.pdf", PDF, content_type="application/pdf"),
        )
        record = record_services.approve_record(record=record, by=bureau)
        record = record_services.publish_record(record=record, by=bureau)
        side.evidence[f"teacher:{subject.pk}"] = (record, evidence)
    LeadingGroupMember.objects.create(school=school, name=f"{letter}组长", role="leader")
    Guardian.objects.create(student=pupil, name=f"{letter}家长", relation="父亲")
    Enrolment.objects.create(
        student=pupil,
        school=school,
        classroom=classroom,
        event=EnrolmentEvent.ENTERED,
        date=datetime.date(2025, 9, 1),
    )
    Posting.objects.create(teacher=teacher, school=school, start_date=datetime.date(2020, 9, 1))
    Degree.objects.create(
        teacher=teacher,
        level="bachelor",
        institution="师范大学",
        certificate_number=f"{school.code}01",
    )
    return side


def build_world() -> World:
    bureau = factories.make_user("matrix_bureau", role=Role.BUREAU_ADMIN)
    inspector = factories.make_user("matrix_inspector", role=Role.INSPECTOR)
    a = _side("甲", bureau)
    b = _side("乙", bureau)
    colleague = factories.make_teacher(a.school, "甲校同事")
    colleague_class = factories.make_classroom(a.school, head_teacher=colleague, name="甲2班")
    colleague_pupil = factories.make_student(a.school, colleague_class, "甲校他班学生")
    a.records[f"student:{colleague_pupil.pk}"] = factories.make_record(
        colleague_pupil, "ST-COPYING-HOMEWORK", by=bureau
    )
    clues = {}
    for letter, side in (("a", a), ("b", b)):
        clue = clue_services.receive_clue(
            channel=ClueChannel.PUBLIC,
            subject_description=side.teacher.name,
            content="反映有偿补课问题，请核查。",
            teacher=side.teacher,
            photos=[_png()],
        )
        clues[letter] = clue
    clue_a = clue_services.assign_clue(clue=clues["a"], inspector=inspector, by=bureau)
    clue_services.add_clue_note(clue=clue_a, by=inspector, text="已走访核实。")
    log_access(bureau, AccessAction.VIEW_TEACHER_FILE, a.teacher)
    objected = factories.make_record(a.teacher, "T-GIFTS", by=bureau)
    objection = dispute_services.file_objection(
        record=objected,
        by=a.teacher.user,
        reason="事实有误。",
        files=[SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")],
    )

    evaluation_round = factories.make_round(by=bureau)
    evaluation_services.assign_raters(evaluation_round=evaluation_round, by=bureau)
    codes = {}
    for letter, side in (("a", a), ("b", b)):
        for group in (RaterGroup.STUDENT, RaterGroup.PARENT):
            generated = evaluation_services.generate_codes(
                evaluation_round=evaluation_round,
                by=bureau,
                group=group,
                school=side.school,
                classroom=side.classroom,
                count=2,
            )
            codes[(letter, group)] = generated[0].code
            if (letter, group) == ("a", RaterGroup.STUDENT):
                used = generated[1]  # answered below: another person's used code
    evaluation_services.submit_answers(
        ratings=factories.ratings_for(evaluation_round, [a.head], 4), code=used
    )
    codes["used"] = used.code
    public_tokens = {
        side.school.pk: evaluation_selectors.public_link_token(evaluation_round, side.school)
        for side in (a, b)
    }
    activities, pledges, parent_codes = {}, {}, {}
    for letter, side in (("a", a), ("b", b)):
        activities[letter] = school_services.record_activity(
            by=side.principal,
            school=side.school,
            kind=ActivityKind.LECTURE,
            title="诚信讲座",
            held_on=timezone.localdate(),
            participants="全体学生",
            participant_count=100,
            description="诚信教育专题讲座。",
            photos=[_png()],
        )
        pledges[letter] = student_services.issue_pledge(
            by=side.principal,
            classroom=side.classroom,
            kind=PledgeKind.YEARLY,
            year=evaluation_round.year_id,
        )
        parent_codes[letter] = student_services.issue_parent_code(
            by=side.principal, student=side.pupil
        )
    school_services.file_checklist(
        by=b.principal,
        school=b.school,
        year=evaluation_round.year_id,
        kind=ChecklistKind.SELF_ASSESSMENT,
        results={area.value: (True, "") for area in ChecklistArea},
    )
    pledges["other"] = student_services.issue_pledge(
        by=a.principal,
        classroom=colleague_class,
        kind=PledgeKind.YEARLY,
        year=evaluation_round.year_id,
    )
    document = IssuedDocument.objects.create(
        code=new_code(),
        kind=DocumentKind.TEACHER_FILE,
        title="教师师德诚信档案",
        subject_description="甲*",
        subject_key=f"teacher:{a.teacher.pk}",
        issued_by=bureau,
        issued_at=timezone.now(),
    )
    batch = ReportBatch.objects.create(
        kind=BatchKind.SCHOOL_TEACHERS,
        school=a.school,
        status=BatchStatus.DONE,
        created_by=bureau,
    )
    document_jobs = {
        "other" if user == b.principal else user.pk: DocumentJob.objects.create(
            kind=DocumentKind.TEACHER_FILE, teacher=teacher, created_by=user
        )
        # each about a file its requester may have: a class teacher's own, school B's teacher
        for user, teacher in (
            (a.teacher.user, a.teacher),
            (a.head.user, a.head),
            (a.principal, a.teacher),
            (inspector, a.teacher),
            (bureau, a.teacher),
            (b.principal, b.teacher),
        )
    }
    return World(
        a=a,
        b=b,
        bureau=bureau,
        inspector=inspector,
        colleague_class=colleague_class,
        colleague_pupil=colleague_pupil,
        clue_a=clue_a,
        clue_b=clues["b"],
        objection=objection,
        round=evaluation_round,
        codes=codes,
        public_tokens=public_tokens,
        document=document,
        batch=batch,
        activities=activities,
        pledges=pledges,
        parent_codes=parent_codes,
        conduct_round=evaluation_services.open_round(
            evaluation_round=evaluation_services.create_round(
                by=bureau,
                year=evaluation_round.year_id,
                name="学生德育品行评价",
                closes_on=evaluation_round.closes_on,
                subject_kind=SubjectKind.STUDENT,
            ),
            by=bureau,
        ),
        document_jobs=document_jobs,
    )
