"""The access-control matrix: every URL of the site × every role × own/other object.

The URLs come from the URL configuration itself (``get_resolver()``, walked recursively, the admin
site included), so a new URL is covered the moment it exists: ``test_every_url_has_an_expectation``
fails for any URL without an entry below, and says where to add one.

How to add a URL
----------------
Add one entry to ``EXPECTATIONS`` (or, for a model newly registered in the admin site, one
entry to ``ADMIN_MODELS``): which object cases it has (``cases``), how to build its kwargs from
the shared world for a role and case (``kwargs``), and what each role gets (``get``; ``post``
for URLs that change state). An outcome is an HTTP status, ``LOGIN`` (302 to a login page),
``REDIRECT`` (302 anywhere else) or, for a POST, ``ALLOWED``: the role may do it, so the test
does not (it would change the shared world). Every POST that is sent must change nothing.

The product's rule (README, SPEC §1): a principal reaches only their own school's objects, a
teacher only their own file and, as class teacher, their own class's students; anything else is
404 (not in the role's queryset) or 403 (the role may not use the page at all); anonymous users
are sent to the login page except on public pages. Students and parents have no account: they
are anonymous clients holding a one-time code.

Matrix size, as of this writing: 355 URL patterns × 8 roles × up to 3 cases (own object,
another person's, another school's) = 5,203 test cases (GET, and POST for URLs that change
state, minus the POSTs of roles that may send them), printed by ``test_matrix_size``; about a
minute on SQLite or PostgreSQL.
"""

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from evaluations.models import (
    AccessCode,
    ClueNote,
    ComplaintClue,
    CreditRecord,
    Evidence,
    LedgerEntry,
    Objection,
    RaterGroup,
    RepairApplication,
    Response,
)
from schools.models import IntegrityActivity, OperationChecklist
from students.models import Enrolment, ParentCode, Pledge, PledgeSlip, Student
from tests._matrix_world import (
    ANONYMOUS,
    BUREAU,
    CLASS_TEACHER,
    CODE_ROLES,
    INSPECTOR,
    NONE,
    OBJECT_CASES,
    OTHER_PERSON,
    OTHER_SCHOOL,
    OWN,
    PARENT,
    PRINCIPAL,
    ROLES,
    SCHOOL_CASES,
    STUDENT,
    TEACHER,
    build_world,
)

LOGIN = "login"  # 302 to the site's or the admin site's login page
REDIRECT = "redirect"  # 302 anywhere else
ALLOWED = "allowed"  # a POST the role may send; not exercised, it would change the world

SIGNED_IN = (TEACHER, CLASS_TEACHER, PRINCIPAL, INSPECTOR, BUREAU)
NOT_STAFF = (ANONYMOUS, STUDENT, PARENT, TEACHER, CLASS_TEACHER, PRINCIPAL)


def by_role(*, anonymous, teacher, class_teacher, principal, inspector, bureau, **codes) -> dict:
    """Every role's outcome, each given explicitly. Students and parents (anonymous clients with
    a code) get what anonymous gets unless told otherwise."""
    outcomes = {
        ANONYMOUS: anonymous,
        TEACHER: teacher,
        CLASS_TEACHER: class_teacher,
        PRINCIPAL: principal,
        INSPECTOR: inspector,
        BUREAU: bureau,
    }
    for role in CODE_ROLES:
        outcomes[role] = codes.get(role, anonymous)
    return outcomes


def everyone(outcome) -> dict:
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome, anonymous=LOGIN) -> dict:
    return by_role(
        anonymous=anonymous,
        teacher=outcome,
        class_teacher=outcome,
        principal=outcome,
        inspector=outcome,
        bureau=outcome,
    )


def own_only(outcome, refused=404) -> dict:
    """Only the role's own object; another person's or another school's is refused."""
    return {OWN: outcome, OTHER_PERSON: refused, OTHER_SCHOOL: refused}


def own_school(outcome, refused=404) -> dict:
    """Anything of the role's own school; another school's is refused."""
    return {OWN: outcome, OTHER_PERSON: outcome, OTHER_SCHOOL: refused}


@dataclass(frozen=True)
class Url:
    get: dict
    post: dict | None = None  # None: the URL changes nothing, no POST is sent
    cases: tuple = (NONE,)
    kwargs: Callable | None = None  # (world, role, case) -> URL kwargs
    data: Callable | None = None  # (world, role, case) -> POST data
    query: Callable | None = None  # (world, role, case) -> query string, for GET and POST
    # (role, case, method) -> reason: a known bug of the view, kept failing (strict xfail) with
    # the right expectation until the view is fixed
    xfail: dict | None = None


def _record(w, role, case):
    return {"pk": w.record(role, case).pk}


def _evidence(w, role, case):
    record, evidence = w.evidence(role, case)
    return {"pk": record.pk, "evidence_pk": evidence.pk}


def _teacher(w, role, case):
    return {"pk": w.teacher(role, case).pk}


def _student(w, role, case):
    return {"pk": w.student(role, case).pk}


def _assignment(w, role, case):
    return {"pk": w.assignment(role, case).pk}


def _survey_code(w, role, case):
    if case == OTHER_PERSON:
        return {"code": w.codes["used"]}
    group = RaterGroup.PARENT if role == PARENT else RaterGroup.STUDENT
    return {"code": w.codes[("b" if case == OTHER_SCHOOL else "a", group)]}


def _public_link(w, role, case):
    school = w.school(role, case)
    token = "0" * 20 if case == OTHER_PERSON else w.public_tokens[school.pk]
    return {"round_id": w.round.pk, "school_id": school.pk, "token": token}


def _public_photo(w, role, case):
    """A public activity and one of its photos; for "another person", another activity's photo."""
    activity = w.activity(role, case)
    photo_of = w.activities["b"] if case == OTHER_PERSON else activity
    return {"pk": activity.pk, "photo_pk": photo_of.photos.get().pk}


def _year(w, role, case):
    return {"year": w.round.year_id}


# A signed-in page that only accepts POST: GET is 405 once past the login.
POST_ONLY_GET = signed_in(405)

PRINCIPAL_ONLY = by_role(
    anonymous=LOGIN, teacher=403, class_teacher=403, principal=200, inspector=403, bureau=403
)
PRINCIPAL_ONLY_POST = {**PRINCIPAL_ONLY, PRINCIPAL: ALLOWED}

ADMIN_DOOR = by_role(
    anonymous=LOGIN, teacher=LOGIN, class_teacher=LOGIN, principal=LOGIN, inspector=200, bureau=200
)

EXPECTATIONS: dict[str, Url] = {
    # --- the site's own pages -----------------------------------------------------------------
    "home": Url(
        get=by_role(
            anonymous=LOGIN,
            teacher=REDIRECT,
            class_teacher=REDIRECT,
            principal=REDIRECT,
            inspector=REDIRECT,
            bureau=REDIRECT,
        )
    ),
    "login": Url(get=everyone(200)),
    "logout": Url(get=everyone(405)),
    "set_language": Url(get=everyone(REDIRECT)),  # GET changes nothing, goes back
    "portal": Url(
        get=by_role(
            anonymous=LOGIN,
            teacher=REDIRECT,
            class_teacher=REDIRECT,
            principal=REDIRECT,  # to the school's dashboard
            inspector=REDIRECT,
            bureau=REDIRECT,
        )
    ),
    # --- records, evidence, notices ------------------------------------------------------------
    "record_detail": Url(
        cases=OBJECT_CASES,
        kwargs=_record,
        get=by_role(
            anonymous=LOGIN,
            teacher=own_only(200),
            class_teacher=own_only(200),
            principal=own_school(200),
            inspector=own_only(200),
            bureau=200,
        ),
    ),
    # Working copies only: every record of the world is published, so whoever sees it is
    # refused with a message on the record's page; nobody else learns it exists.
    "record_submit": Url(
        cases=OBJECT_CASES,
        kwargs=_record,
        get=POST_ONLY_GET,
        post=by_role(
            anonymous=LOGIN,
            teacher=own_only(REDIRECT),
            class_teacher=own_only(REDIRECT),
            principal=own_school(REDIRECT),
            inspector=own_only(REDIRECT),
            bureau=REDIRECT,
        ),
    ),
    "record_withdraw": Url(
        cases=OBJECT_CASES,
        kwargs=_record,
        get=by_role(
            anonymous=LOGIN,
            teacher=own_only(REDIRECT),
            class_teacher=own_only(REDIRECT),
            principal=own_school(REDIRECT),
            inspector=own_only(REDIRECT),
            bureau=REDIRECT,
        ),
        post=by_role(
            anonymous=LOGIN,
            teacher=own_only(REDIRECT),
            class_teacher=own_only(REDIRECT),
            principal=own_school(REDIRECT),
            inspector=own_only(REDIRECT),
            bureau=REDIRECT,
        ),
    ),
    "record_object": Url(
        cases=OBJECT_CASES,
        kwargs=_record,
        get=POST_ONLY_GET,
        post=by_role(
            anonymous=LOGIN,
            teacher=own_only(ALLOWED),
            class_teacher=own_only(ALLOWED),
            principal=own_school(ALLOWED),
            # sees the record, may not act for its subject: refused with a message
            inspector=own_only(REDIRECT),
            bureau=REDIRECT,
        ),
    ),
    "record_repair": Url(
        cases=OBJECT_CASES,
        kwargs=_record,
        get=POST_ONLY_GET,
        post=by_role(
            anonymous=LOGIN,
            teacher=own_only(ALLOWED),
            class_teacher=own_only(ALLOWED),
            principal=own_school(ALLOWED),
            inspector=own_only(REDIRECT),
            bureau=REDIRECT,
        ),
    ),
    "record_evidence": Url(
        cases=OBJECT_CASES,
        kwargs=_evidence,
        get=by_role(
            anonymous=LOGIN,
            teacher=own_only(200),
            class_teacher=own_only(200),
            principal=own_school(200),
            inspector=own_only(200),
            bureau=200,
        ),
    ),
    # the objection of school A's plain teacher: the teacher and the school filed it, the
    # bureau decides it; the class teacher (another person) and the inspector get 404
    "objection_file": Url(
        kwargs=lambda w, role, case: {
            "pk": w.objection.pk,
            "file_pk": w.objection.evidence.get().pk,
        },
        get=by_role(
            anonymous=LOGIN,
            teacher=200,
            class_teacher=404,
            principal=200,
            inspector=404,
            bureau=200,
        ),
    ),
    "repair_file": Url(
        kwargs=lambda w, role, case: {"pk": 0, "file_pk": 0},  # no application in the world
        get=signed_in(404),
    ),
    "notices": Url(get=signed_in(200)),
    # --- the teacher's file --------------------------------------------------------------------
    "teachers:my_file": Url(
        get=by_role(
            anonymous=LOGIN,
            teacher=200,
            class_teacher=200,
            principal=403,
            inspector=403,
            bureau=403,
        )
    ),
    "teachers:evaluations": Url(
        get=by_role(
            anonymous=LOGIN,
            teacher=200,
            class_teacher=200,
            principal=403,
            inspector=403,
            bureau=403,
        )
    ),
    "teachers:file": Url(
        cases=OBJECT_CASES,
        kwargs=_teacher,
        get=by_role(
            anonymous=LOGIN,
            teacher=own_only(200),
            class_teacher=own_only(200),
            principal=own_school(200),
            inspector=own_only(200),  # the subject of the inspector's clue
            bureau=200,
        ),
    ),
    # --- public pages (no account) ------------------------------------------------------------
    "public:index": Url(get=everyone(200)),
    "public:red_list": Url(get=everyone(200)),
    "public:black_list": Url(get=everyone(200)),
    "public:disclosure": Url(get=everyone(200)),
    "public:exemplars": Url(get=everyone(200)),
    # Anyone may send a clue (rate-limited): no role is refused, so no POST is sent.
    # An activity of the public news and its photos: anyone; a photo asked for under another
    # activity's id (the "other person" case) is 404.
    "public:activity": Url(
        cases=SCHOOL_CASES,
        kwargs=lambda w, role, case: {"pk": w.activity(role, case).pk},
        get=everyone(200),
    ),
    "public:activity_photo": Url(
        cases=OBJECT_CASES,
        kwargs=_public_photo,
        get=everyone({OWN: 200, OTHER_PERSON: 404, OTHER_SCHOOL: 200}),
    ),
    "public:complaint": Url(get=everyone(200)),
    "public:complaint_received": Url(get=everyone(200)),
    # a lookup by receipt number changes nothing but the caller's rate-limit count
    "public:complaint_status": Url(get=everyone(200)),
    "public:verify": Url(get=everyone(200)),
    # --- evaluations (测评) --------------------------------------------------------------------
    "survey:enter": Url(get=everyone(200)),
    "survey:thanks": Url(get=everyone(200)),
    # A code is a bearer token: whoever holds a valid one answers (own: a code of the role's
    # class; other school: school B's code); another person's used code is refused with 410.
    "survey:code": Url(
        cases=OBJECT_CASES,
        kwargs=_survey_code,
        get=everyone({OWN: 200, OTHER_PERSON: 410, OTHER_SCHOOL: 200}),
        post=everyone({OWN: ALLOWED, OTHER_PERSON: 410, OTHER_SCHOOL: ALLOWED}),
    ),
    # A school's signed public link; "another person" here is a forged token.
    "survey:public": Url(
        cases=OBJECT_CASES,
        kwargs=_public_link,
        get=everyone({OWN: 200, OTHER_PERSON: 404, OTHER_SCHOOL: 200}),
        post=everyone({OWN: ALLOWED, OTHER_PERSON: 404, OTHER_SCHOOL: ALLOWED}),
    ),
    "survey:assignment": Url(
        cases=OBJECT_CASES,
        kwargs=_assignment,
        get=by_role(
            anonymous=LOGIN,
            teacher=own_only(200),
            class_teacher=own_only(200),
            principal=own_only(200),
            inspector=404,  # nobody but the rater answers, not even the bureau
            bureau=404,
        ),
        post=by_role(
            anonymous=LOGIN,
            teacher=own_only(ALLOWED),
            class_teacher=own_only(ALLOWED),
            principal=own_only(ALLOWED),
            inspector=404,
            bureau=404,
        ),
    ),
    "survey:school": Url(
        get=by_role(
            anonymous=LOGIN,
            teacher=403,
            class_teacher=403,
            principal=200,
            inspector=403,
            bureau=403,
        )
    ),
    # The principal's page of all the school's teachers: the rows are the account's own tasks.
    "survey:principal_evaluations": Url(
        kwargs=lambda w, role, case: {"pk": w.round.pk},
        get=by_role(
            anonymous=LOGIN,
            teacher=403,
            class_teacher=403,
            principal=200,
            inspector=403,
            bureau=403,  # the bureau answers its tasks one by one from the admin list
        ),
        post=by_role(
            anonymous=LOGIN,
            teacher=403,
            class_teacher=403,
            principal=ALLOWED,
            inspector=403,
            bureau=403,
        ),
    ),
    "survey:generate_codes": Url(
        kwargs=lambda w, role, case: {"pk": w.round.pk},
        get=POST_ONLY_GET,
        post=by_role(
            anonymous=LOGIN,
            teacher=403,
            class_teacher=403,
            principal=ALLOWED,
            inspector=403,
            bureau=403,  # the bureau makes codes in the admin site
        ),
    ),
    # A class teacher rates the conduct of their own class only; the bureau and principals see
    # the class but may not rate it (403); anyone else does not find it (404).
    "survey:conduct": Url(
        cases=OBJECT_CASES,
        kwargs=lambda w, role, case: {
            "round_id": w.conduct_round.pk,
            "classroom_id": w.classroom(role, case).pk,
        },
        get=by_role(
            anonymous=LOGIN,
            teacher=404,  # heads no class
            class_teacher=own_only(200),
            principal=own_school(403),
            inspector=404,
            bureau=403,
        ),
        post=by_role(
            anonymous=LOGIN,
            teacher=404,
            class_teacher=own_only(ALLOWED),
            principal=own_school(403),
            inspector=404,
            bureau=403,
        ),
    ),
    "survey:sheet": Url(
        cases=SCHOOL_CASES,
        kwargs=lambda w, role, case: {"pk": w.round.pk, "school_id": w.school(role, case).pk},
        get=by_role(
            anonymous=LOGIN,
            teacher=403,
            class_teacher=403,
            principal={OWN: 200, OTHER_SCHOOL: 404},
            inspector=403,
            bureau=200,
        ),
    ),
    # --- PDF reports (issued by POST) ---------------------------------------------------------
    "reports:index": Url(get=signed_in(200)),
    "reports:teacher_file": Url(
        cases=OBJECT_CASES,
        kwargs=_teacher,
        get=POST_ONLY_GET,
        post=by_role(
            anonymous=LOGIN,
            teacher=own_only(ALLOWED),
            class_teacher=own_only(ALLOWED),
            principal=own_school(ALLOWED),
            inspector=own_only(ALLOWED),
            bureau=ALLOWED,
        ),
    ),
    "reports:teacher_lookup": Url(
        cases=OBJECT_CASES,
        data=lambda w, role, case: {"number": w.teacher(role, case).id_number},
        get=POST_ONLY_GET,
        post=by_role(
            anonymous=LOGIN,
            teacher=own_only(ALLOWED),
            class_teacher=own_only(ALLOWED),
            principal=own_school(ALLOWED),
            inspector=own_only(ALLOWED),
            bureau=ALLOWED,
        ),
    ),
    "reports:student_file": Url(
        cases=OBJECT_CASES,
        kwargs=_student,
        get=POST_ONLY_GET,
        post=by_role(
            anonymous=LOGIN,
            teacher=404,
            class_teacher=404,  # student files are the school's and the bureau's act
            principal=own_school(ALLOWED),
            inspector=404,
            bureau=ALLOWED,
        ),
    ),
    "reports:student_lookup": Url(
        cases=OBJECT_CASES,
        data=lambda w, role, case: {"number": w.student(role, case).student_number},
        get=POST_ONLY_GET,
        post=by_role(
            anonymous=LOGIN,
            teacher=404,
            class_teacher=404,
            principal=own_school(ALLOWED),
            inspector=404,
            bureau=ALLOWED,
        ),
    ),
    "reports:school_report": Url(
        cases=SCHOOL_CASES,
        data=lambda w, role, case: {"school": w.school(role, case).pk, **_year(w, role, case)},
        get=POST_ONLY_GET,
        post=by_role(
            anonymous=LOGIN,
            teacher=404,
            class_teacher=404,
            principal={OWN: ALLOWED, OTHER_SCHOOL: 404},
            inspector=404,
            bureau=ALLOWED,
        ),
    ),
    "reports:district_report": Url(
        data=_year,
        get=POST_ONLY_GET,
        post=by_role(
            anonymous=LOGIN,
            teacher=404,
            class_teacher=404,
            principal=404,
            inspector=404,
            bureau=ALLOWED,
        ),
    ),
    # a document made in the background: its requester's only (tests/test_document_jobs.py)
    "reports:job": Url(
        cases=(OWN, OTHER_PERSON),
        kwargs=lambda w, role, case: {"pk": w.document_job(role, case).pk},
        get=by_role(
            anonymous=LOGIN,
            teacher=own_only(200),
            class_teacher=own_only(200),
            principal=own_only(200),
            inspector=own_only(200),
            bureau=own_only(200),
        ),
    ),
    "reports:job_download": Url(
        cases=(OWN, OTHER_PERSON),
        kwargs=lambda w, role, case: {"pk": w.document_job(role, case).pk},
        get=POST_ONLY_GET,
        # the jobs are queued, with nothing to download yet: 404 even for their owner
        post=signed_in(404),
    ),
    # --- the principal's portal (/school/) ------------------------------------------------------
    **{
        f"schools:{name}": Url(get=PRINCIPAL_ONLY)
        for name in (
            "dashboard",
            "teachers",
            "students",
            "records",
            "activities",
            "standing",
            "eligibility",  # lists through the principal's scope only
        )
    },
    "schools:checklist": Url(get=PRINCIPAL_ONLY, post=PRINCIPAL_ONLY_POST),
    "schools:activity_new": Url(get=PRINCIPAL_ONLY, post=PRINCIPAL_ONLY_POST),
    # proposing a record about a student (?student=): the school for its students, a class
    # teacher for their own class's, the bureau for anyone
    "schools:edit_record": Url(
        cases=OBJECT_CASES,
        kwargs=_record,
        get=by_role(
            anonymous=LOGIN,
            teacher=own_only(REDIRECT),
            class_teacher=own_only(REDIRECT),
            principal=own_school(REDIRECT),
            inspector=own_only(REDIRECT),
            bureau=REDIRECT,
        ),
        post=by_role(
            anonymous=LOGIN,
            teacher=own_only(REDIRECT),
            class_teacher=own_only(REDIRECT),
            principal=own_school(REDIRECT),
            inspector=own_only(REDIRECT),
            bureau=REDIRECT,
        ),
    ),
    "schools:propose_record": Url(
        cases=OBJECT_CASES,
        query=lambda w, role, case: {"student": w.student(role, case).pk},
        get=by_role(
            anonymous=LOGIN,
            teacher=404,
            class_teacher=own_only(200),
            principal=own_school(200),
            inspector=404,
            bureau=200,
        ),
        post=by_role(
            anonymous=LOGIN,
            teacher=404,
            class_teacher=own_only(ALLOWED),
            principal=own_school(ALLOWED),
            inspector=404,
            bureau=ALLOWED,
        ),
    ),
    "schools:activity": Url(
        cases=SCHOOL_CASES,
        kwargs=lambda w, role, case: {"pk": w.activity(role, case).pk},
        get=by_role(
            anonymous=LOGIN,
            teacher=404,
            class_teacher=404,
            principal={OWN: 200, OTHER_SCHOOL: 404},
            inspector=404,
            bureau=200,
        ),
    ),
    "schools:activity_photo": Url(
        cases=SCHOOL_CASES,
        kwargs=lambda w, role, case: {
            "pk": w.activity(role, case).pk,
            "photo_pk": w.activity(role, case).photos.get().pk,
        },
        get=by_role(
            anonymous=LOGIN,
            teacher=404,
            class_teacher=404,
            principal={OWN: 200, OTHER_SCHOOL: 404},
            inspector=404,
            bureau=200,
        ),
    ),
    # --- students' files, pledges, the parent's view (/students/) -------------------------------
    "students:file": Url(
        cases=OBJECT_CASES,
        kwargs=_student,
        get=by_role(
            anonymous=LOGIN,
            teacher=404,  # heads no class
            class_teacher=own_only(200),
            principal=own_school(200),
            inspector=404,
            bureau=200,
        ),
    ),
    **{
        f"students:{name}": Url(
            cases=OBJECT_CASES,
            kwargs=_student,
            get=POST_ONLY_GET,
            post=by_role(
                anonymous=LOGIN,
                teacher=403,
                class_teacher=403,  # transfers and parents' codes are the school's act
                principal=own_school(ALLOWED),
                inspector=403,
                bureau=ALLOWED,
            ),
        )
        for name in ("transfer", "place", "parent_code")
    },
    "students:my_class": Url(
        get=by_role(
            anonymous=LOGIN,
            teacher=200,  # an empty list for a teacher who heads no class
            class_teacher=200,
            principal=403,
            inspector=403,
            bureau=403,
        )
    ),
    # Parents' codes for a whole class: the class teacher for their class, the school for any of
    # its classes, the bureau; the POST answers with the sheet of codes.
    "students:class_parent_codes": Url(
        cases=OBJECT_CASES,
        kwargs=lambda w, role, case: {"classroom_id": w.classroom(role, case).pk},
        get=by_role(
            anonymous=LOGIN,
            teacher=404,  # heads no class
            class_teacher=own_only(200),
            principal=own_school(200),
            inspector=404,
            bureau=200,
        ),
        post=by_role(
            anonymous=LOGIN,
            teacher=404,
            class_teacher=own_only(ALLOWED),
            principal=own_school(ALLOWED),
            inspector=404,
            bureau=ALLOWED,
        ),
    ),
    "students:pledges": Url(
        get=by_role(
            anonymous=LOGIN,
            teacher=200,
            class_teacher=200,
            principal=200,
            inspector=403,
            bureau=200,
        ),
        post=by_role(
            anonymous=LOGIN,
            teacher=403,
            class_teacher=403,
            principal=ALLOWED,
            inspector=403,
            bureau=403,  # only the school issues pledges
        ),
    ),
    "students:pledge": Url(
        cases=OBJECT_CASES,
        kwargs=lambda w, role, case: {"pk": w.pledge(role, case).pk},
        get=by_role(
            anonymous=LOGIN,
            teacher=404,
            class_teacher=own_only(200),
            principal=own_school(200),
            inspector=404,
            bureau=200,
        ),
    ),
    # The public acknowledgement page: a slip's code is a bearer token; an unknown code is 404.
    "students:sign": Url(
        cases=OBJECT_CASES,
        query=lambda w, role, case: {"code": w.slip_code(role, case)},
        data=lambda w, role, case: {"code": w.slip_code(role, case), "who": "student"},
        get=everyone({OWN: 200, OTHER_PERSON: 404, OTHER_SCHOOL: 200}),
        post=everyone({OWN: ALLOWED, OTHER_PERSON: 200, OTHER_SCHOOL: ALLOWED}),
    ),
    # Entering a parent's code opens the child's file for the session (no registry change).
    "students:parent": Url(get=everyone(200)),
    "students:parent_file": Url(get={**everyone(REDIRECT), PARENT: 200}),
    "students:parent_exit": Url(get=everyone(405), post=everyone(REDIRECT)),
    # --- the admin site: its own pages ----------------------------------------------------------
    "admin:index": Url(get=ADMIN_DOOR),
    "admin:login": Url(
        get=by_role(
            anonymous=200,
            teacher=200,
            class_teacher=200,
            principal=200,
            inspector=REDIRECT,
            bureau=REDIRECT,
        )
    ),
    "admin:logout": Url(
        get=by_role(
            anonymous=REDIRECT,
            teacher=REDIRECT,
            class_teacher=REDIRECT,
            principal=REDIRECT,
            inspector=405,
            bureau=405,
        )
    ),
    "admin:password_change": Url(
        get=ADMIN_DOOR,
        post={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: ALLOWED, BUREAU: ALLOWED},
    ),
    "admin:password_change_done": Url(get=ADMIN_DOOR),
    "admin:autocomplete": Url(get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 403}),
    "admin:jsi18n": Url(get=ADMIN_DOOR),
    "admin:view_on_site": Url(
        kwargs=lambda w, role, case: {
            "content_type_id": ContentType.objects.get_for_model(w.a.teacher).pk,
            "object_id": w.a.teacher.pk,
        },
        get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 404, BUREAU: 404},
    ),
    # app index: an app the inspector has pages in, and one they have none in
    "admin:app_list": Url(
        cases=("evaluations", "students"),
        kwargs=lambda w, role, case: {"app_label": case},
        get={
            **dict.fromkeys(NOT_STAFF, LOGIN),
            INSPECTOR: {"evaluations": 200, "students": 404},
            BUREAU: 200,
        },
    ),
    "admin/(?P<url>.*)$": Url(
        kwargs=lambda w, role, case: {"url": "no-such-page/"},
        get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 404, BUREAU: 404},
    ),
    # --- the admin site: custom views of model pages -------------------------------------------
    **{
        f"admin:{model}_{view}": Url(
            get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 200},
            post={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: ALLOWED},
        )
        for model in (
            "schools_school",
            "teachers_teacher",
            "students_student",
            "evaluations_creditrecord",
            "schools_integrityactivity",
        )
        for view in ("import", "import_template", "export")
    },
    # a background import's page: its owner's only (tests/imports/test_background_import.py);
    # here the door, with a job nobody has
    **{
        f"admin:{model}_import_job": Url(
            kwargs=lambda w, role, case: {"pk": 999_999},
            get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 404},
            post={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 404},
        )
        for model in (
            "schools_school",
            "teachers_teacher",
            "students_student",
            "evaluations_creditrecord",
            "schools_integrityactivity",
        )
    },
    # exported only: results are computed, never imported
    "admin:evaluations_assessmentresult_export": Url(
        get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 200},
        post={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: ALLOWED},
    ),
    "admin:schools_operationchecklist_inspect": Url(
        get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 200},
        post={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: ALLOWED},
    ),
    "admin:schools_operationchecklist_standings": Url(
        get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 200},
    ),
    "admin:schools_operationchecklist_standings_export": Url(
        get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 200},
    ),
    "admin:auth_user_password_change": Url(
        kwargs=lambda w, role, case: {"id": w.a.teacher.user.pk},
        get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 200},
        post={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: ALLOWED},
    ),
    "admin:evaluations_objection_decide": Url(
        kwargs=lambda w, role, case: {"pk": w.objection.pk},
        get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 200},
        post={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: ALLOWED},
    ),
    "admin:evaluations_repairapplication_decide": Url(
        kwargs=lambda w, role, case: {"pk": 0},  # no application in the world: 404 after the door
        get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 404},
        post={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 404},
    ),
    # the inspector works on clues assigned to them only
    **{
        f"admin:evaluations_complaintclue_{view}": Url(
            cases=SCHOOL_CASES,
            kwargs=lambda w, role, case: {"pk": w.clue(role, case).pk},
            get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: own_only(200), BUREAU: 200},
            post={
                **dict.fromkeys(NOT_STAFF, LOGIN),
                INSPECTOR: {OWN: ALLOWED, OTHER_SCHOOL: 404},
                BUREAU: ALLOWED,
            },
        )
        for view in ("work", "close")
    },
    "admin:evaluations_complaintclue_photo": Url(
        cases=SCHOOL_CASES,
        kwargs=lambda w, role, case: {
            "pk": w.clue(role, case).pk,
            "photo_pk": w.clue(role, case).photos.get().pk,
        },
        get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: own_only(200), BUREAU: 200},
    ),
    # a finished batch without its zip file: 404 for the bureau, 403 for anyone else staff
    "admin:credit_registry_reportbatch_download": Url(
        kwargs=lambda w, role, case: {"pk": w.batch.pk},
        get={**dict.fromkeys(NOT_STAFF, LOGIN), INSPECTOR: 403, BUREAU: 404},
    ),
}


# --- the admin site: model pages by family -----------------------------------------------------


@dataclass(frozen=True)
class AdminModel:
    """What the admin site offers for one model.

    ``inspector``: "none" (403), "view" (list and object pages) or "add" (view and add).
    ``scoped``: the admin queryset is scoped per role; then ``objects`` gives the own-school
    (in the inspector's scope where there is one) and other-school object, and ``inspector_sees``
    the cases in the inspector's queryset (others redirect to the admin index, Django's answer
    for an object not in the queryset). Unscoped models use any one object (case ``-``).
    ``bureau``: the letters of what a bureau admin may do besides viewing: a(dd), c(hange),
    d(elete); ``None`` for models left to Django's own permissions (none are granted) and for
    the technical tables, which only superusers open.
    """

    inspector: str = "none"
    bureau: str | None = "acd"
    objects: Callable | None = None  # (world, case) -> object; None: the first row, if any
    inspector_sees: tuple = (NONE,)

    @property
    def cases(self):
        return SCHOOL_CASES if self.objects else (NONE,)


def _scoped(getter, inspector_sees=(OWN,)) -> dict:
    return {"objects": getter, "inspector_sees": inspector_sees}


READ_ONLY = ""

ADMIN_MODELS: dict[str, AdminModel] = {
    "django_tasks_database.dbtaskresult": AdminModel(bureau=None),
    "axes.accessattempt": AdminModel(bureau=None),
    "axes.accesslog": AdminModel(bureau=None),
    "axes.accessfailurelog": AdminModel(bureau=None),
    "auth.user": AdminModel(),
    "credit_registry.reportbatch": AdminModel(bureau="ad"),
    "credit_registry.holidayyear": AdminModel(bureau="ac"),
    "credit_registry.issueddocument": AdminModel(bureau=READ_ONLY),
    "credit_registry.accesslog": AdminModel(bureau=READ_ONLY),
    "credit_registry.loginlock": AdminModel(bureau="d"),  # bureau staff unlock (delete)
    "schools.school": AdminModel(inspector="view", **_scoped(lambda w, case: w.school(None, case))),
    "schools.leadinggroupmember": AdminModel(),
    "schools.integrityactivity": AdminModel(bureau="c"),  # the bureau only excludes one
    "schools.activityphoto": AdminModel(bureau=None),  # technical: superusers only
    "schools.operationchecklist": AdminModel(bureau=READ_ONLY),
    "schools.checklistentry": AdminModel(bureau=None),  # technical: superusers only
    "schools.schoolaccount": AdminModel(),
    "teachers.teacher": AdminModel(
        inspector="view", **_scoped(lambda w, case: w.teacher(None, case))
    ),
    "teachers.degree": AdminModel(),
    "teachers.posting": AdminModel(),
    "students.student": AdminModel(**_scoped(lambda w, case: w.student(None, case), ())),
    "students.classroom": AdminModel(),
    "students.guardian": AdminModel(),
    "students.enrolment": AdminModel(bureau="a"),
    "students.pledge": AdminModel(bureau=READ_ONLY),
    "students.pledgeslip": AdminModel(bureau=None),  # technical: superusers only
    "students.parentcode": AdminModel(bureau=READ_ONLY),
    "evaluations.catalogitem": AdminModel(inspector="view", bureau="ac"),
    "evaluations.creditrecord": AdminModel(
        inspector="add", bureau="a", **_scoped(lambda w, case: w.record(None, case))
    ),
    "evaluations.objection": AdminModel(bureau=READ_ONLY),
    "evaluations.repairapplication": AdminModel(bureau=READ_ONLY),
    "evaluations.complaintclue": AdminModel(
        inspector="view", bureau="ac", **_scoped(lambda w, case: w.clue(None, case))
    ),
    "evaluations.cluenote": AdminModel(bureau=None),  # technical: superusers only
    "evaluations.cluephoto": AdminModel(bureau=None),  # technical: superusers only
    "evaluations.objectionevidence": AdminModel(bureau=None),  # technical: superusers only
    "evaluations.repairevidence": AdminModel(bureau=None),  # technical: superusers only
    "evaluations.ledgerentry": AdminModel(bureau=None),  # technical: superusers only
    "evaluations.ledgerhead": AdminModel(bureau=None),  # technical: superusers only
    "evaluations.assessmentyear": AdminModel(bureau="a"),
    "evaluations.assessmentpolicy": AdminModel(bureau="a"),
    "evaluations.consequencerule": AdminModel(bureau=READ_ONLY),
    "evaluations.assessmentresult": AdminModel(bureau=READ_ONLY),
    "evaluations.notice": AdminModel(bureau=None),  # technical: superusers only
    "evaluations.evidence": AdminModel(bureau=None),  # technical: superusers only
    "evaluations.questionnaire": AdminModel(),
    "evaluations.questionitem": AdminModel(bureau=None),  # technical: superusers only
    "evaluations.evaluationround": AdminModel(bureau="ac"),
    "evaluations.raterassignment": AdminModel(bureau=READ_ONLY),
    "evaluations.accesscode": AdminModel(bureau=READ_ONLY),
}

ADMIN_FAMILIES = ("changelist", "add", "change", "delete", "history")
ADMIN_NAME = re.compile(r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(?P<family>[a-z]+)$")
ADMIN_OBJECT_ROUTE = re.compile(r"^admin/(?P<app>[a-z_]+)/(?P<model>[a-z]+)/<path:object_id>/$")


def _admin_object(w, spec: AdminModel, model, case):
    if spec.objects:
        return spec.objects(w, case)
    return model._default_manager.order_by("pk").first()


def _admin_outcome(spec: AdminModel, family: str, role: str, case: str, method: str, exists: bool):
    """The outcome of one admin model page (see ``AdminModel``), in the order Django's admin
    checks: the door, then the permission and whether the object is in the role's queryset."""
    if role in NOT_STAFF:
        return LOGIN
    if family == "redirect":  # <object_id>/ → <object_id>/change/, for anyone past the door
        return REDIRECT
    if role == BUREAU:
        rights = "" if spec.bureau is None else spec.bureau
        view = spec.bureau is not None
        in_queryset = exists
    else:
        rights = "a" if spec.inspector == "add" else ""
        view = spec.inspector in ("view", "add")
        in_queryset = exists and case in spec.inspector_sees
    ok = ALLOWED if method == "POST" else 200
    if family == "changelist":
        if role == INSPECTOR and view and method == "POST":
            return 200  # no action is offered to them: the list ignores the POST
        return ok if view else 403
    if family == "add":
        return ok if "a" in rights else 403
    if family == "delete":
        if "d" not in rights:
            return 403
        return ok if in_queryset else REDIRECT
    if family == "history":
        if not in_queryset:
            return REDIRECT
        return 200 if view else 403
    # change: view permission, then the queryset, then (to save) the change permission
    if not view:
        return 403
    if not in_queryset:
        return REDIRECT
    if method == "POST" and "c" not in rights:
        return 403
    return ok


def _admin_url(name: str | None, route: str) -> Url | None:
    """The matrix entry of a model page of the admin site, from ``ADMIN_MODELS``."""
    if name:
        match = ADMIN_NAME.match(name)
        family = match and match["family"]
    else:
        match = ADMIN_OBJECT_ROUTE.match(route)
        family = "redirect"
    if not match or family not in (*ADMIN_FAMILIES, "redirect"):
        return None
    label = f"{match['app']}.{match['model']}"
    spec = ADMIN_MODELS.get(label)
    if spec is None:
        return None
    model = apps.get_model(label)
    takes_object = family not in ("changelist", "add")
    cases = spec.cases if takes_object else (NONE,)

    def kwargs(w, role, case):
        if not takes_object:
            return {}
        obj = _admin_object(w, spec, model, case)
        return {"object_id": str(obj.pk) if obj is not None else "0"}

    def outcome(method):
        def per_role(role, case, exists):
            return _admin_outcome(spec, family, role, case, method, exists)

        return per_role

    def data(w, role, case):
        if family != "changelist":
            return {}
        obj = _admin_object(w, spec, model, OWN)  # in the inspector's scope
        selected = [str(obj.pk)] if obj is not None else []
        return {"action": "delete_selected", "index": "0", "_selected_action": selected}

    sends_post = family in ("changelist", "add", "change", "delete")
    return Url(
        cases=cases,
        kwargs=kwargs,
        data=data,
        get=outcome("GET"),
        post=outcome("POST") if sends_post else None,
    )


# --- walking the URL configuration ---------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # the name with namespaces, or the route for an unnamed pattern
    name: str | None
    route: str


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            space = namespace
            if entry.namespace:
                space = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), space)
        else:
            assert isinstance(entry, URLPattern)
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            route = prefix + str(entry.pattern)
            yield Pattern(key=name or route, name=name, route=route)


def expectation(pattern: Pattern) -> Url | None:
    return EXPECTATIONS.get(pattern.key) or _admin_url(pattern.name, pattern.route)


PATTERNS = list(walk())


def _cases():
    for pattern in PATTERNS:
        url = expectation(pattern)
        if url is None:
            continue
        for method in ("GET", "POST"):
            table = url.get if method == "GET" else url.post
            if table is None:
                continue
            for role in ROLES:
                for case in url.cases:
                    if _expected(url, table, role, case, exists=True) == ALLOWED:
                        continue  # the role may do it: not exercised, it would change the world
                    reason = (url.xfail or {}).get((role, case, method))
                    yield pytest.param(
                        pattern,
                        url,
                        role,
                        case,
                        method,
                        id=f"{pattern.key}|{role}|{case}|{method}",
                        marks=[pytest.mark.xfail(strict=True, reason=reason)] if reason else [],
                    )


def test_every_url_has_an_expectation():
    missing = [p.key for p in PATTERNS if expectation(p) is None]
    assert not missing, (
        "These URLs have no access expectation. Add an entry per URL name to EXPECTATIONS in "
        "tests/test_access_matrix.py (or a model to ADMIN_MODELS) saying what each role gets: "
        + ", ".join(missing)
    )


def test_every_expectation_still_matches_a_url():
    """An entry whose URL was renamed or removed would silently test nothing."""
    keys = {p.key for p in PATTERNS}
    stale = sorted(set(EXPECTATIONS) - keys)
    assert not stale, "EXPECTATIONS entries that match no URL any more: " + ", ".join(stale)
    admin_labels = {
        f"{m['app']}.{m['model']}" for p in PATTERNS if p.name and (m := ADMIN_NAME.match(p.name))
    }
    unused = sorted(set(ADMIN_MODELS) - admin_labels)
    assert not unused, "ADMIN_MODELS entries with no admin page: " + ", ".join(unused)


def test_matrix_size():
    urls = sum(1 for p in PATTERNS if expectation(p) is not None)
    print(f"access matrix: {urls} URLs × {len(ROLES)} roles × cases = {len(CASES)} test cases")
    assert urls == len(PATTERNS)
    assert len(CASES) > 1000


# --- running one case ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end; each test
    runs inside a savepoint of it (pytest-django's ``db``), so nothing a test does survives."""
    storage = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("private"))},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(STORAGES=storage, PASSWORD_HASHERS=fast),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def sessions(world) -> dict:
    """One signed-in session per role, made once (logging in is as slow as a request); a
    parent's session is one where the parent's code has been entered."""
    cookies = {}
    for role in ROLES:
        client = Client()
        if world.user(role) is not None:
            client.force_login(world.user(role))
        if role == PARENT:
            entered = client.post(reverse("students:parent"), {"code": world.parent_codes["a"]})
            assert entered.status_code == 302, "the parent's code did not open the child's file"
        cookies[role] = client.cookies
    return cookies


STATE_MODELS = (CreditRecord, Objection, RepairApplication, Evidence, LedgerEntry, AccessCode)
STATE_MODELS += (Response, ComplaintClue, ClueNote, IntegrityActivity, OperationChecklist)
STATE_MODELS += (Pledge, PledgeSlip, ParentCode, Enrolment)


def _fingerprint():
    """What a refused POST must leave as it was."""
    return {
        **{model.__name__: model.objects.count() for model in STATE_MODELS},
        "used codes": AccessCode.objects.filter(used_at__isnull=False).count(),
        "objections open": Objection.objects.filter(decided_at__isnull=True).count(),
        "slips acknowledged": PledgeSlip.objects.filter(acknowledged_at__isnull=False).count(),
        "parent codes revoked": ParentCode.objects.filter(revoked_at__isnull=False).count(),
        "files frozen": Student.objects.filter(file_frozen_at__isnull=False).count(),
        "students placed": Student.objects.filter(classroom__isnull=False).count(),
    }


def _path(pattern: Pattern, kwargs: dict) -> str:
    if pattern.name:
        return reverse(pattern.name, kwargs=kwargs)
    route = pattern.route
    if route.endswith("$"):  # the admin's catch-all
        return "/admin/" + kwargs["url"]
    return "/" + re.sub(r"<[^>]+>", lambda m: kwargs[m.group(0)[1:-1].split(":")[-1]], route)


def _outcome(response) -> str | int:
    if response.status_code in (301, 302):
        location = response["Location"]
        return LOGIN if location.startswith(("/login/", "/admin/login/")) else REDIRECT
    return response.status_code


def _expected(url: Url, table, role: str, case: str, exists: bool):
    if callable(table):
        return table(role, case, exists)
    value = table.get(role)
    if isinstance(value, dict):
        value = value.get(case)
    if value is None:
        raise LookupError(f"an entry of the access matrix says nothing for {role} ({case})")
    return value


CASES = list(_cases())


@pytest.mark.parametrize(("pattern", "url", "role", "case", "method"), CASES)
def test_access(world, sessions, db, pattern, url, role, case, method):
    kwargs = url.kwargs(world, role, case) if url.kwargs else {}
    exists = kwargs.get("object_id", "") != "0"
    table = url.get if method == "GET" else url.post
    expected = _expected(url, table, role, case, exists)
    if expected == ALLOWED:
        pytest.skip("the object is missing from the world; the role may do this")
    client = Client()
    client.cookies = copy.deepcopy(sessions[role])
    path = _path(pattern, kwargs)
    if url.query:
        path += "?" + urlencode(url.query(world, role, case))
    data = url.data(world, role, case) if url.data else {}
    before = _fingerprint() if method == "POST" else None
    response = client.get(path) if method == "GET" else client.post(path, data)
    outcome = _outcome(response)
    if response.streaming:  # read it to the end, as a server would: that closes the file
        b"".join(response.streaming_content)
    assert outcome == expected, (
        f"{method} {path} as {role} ({case}): got {outcome}"
        f"{' → ' + response['Location'] if response.status_code == 302 else ''}, "
        f"expected {expected}"
    )
    if before is not None:
        assert _fingerprint() == before, f"{method} {path} as {role} changed the registry"


# --- hostile parameters on every URL -----------------------------------------------------------

# Decodable but wrong: out of range, of the wrong type, full-width, markup, unknown filters.
HOSTILE = {
    "page": "-1",
    "p": "99999999999999999999",
    "year": "２０２６",
    "q": "'\"<script>alert(1)</script>",
    "classroom": "abc",
    "school": "1 OR 1=1",
    "o": "99.-3",
    "status__exact": "bogus",
    "kind": "../../etc/passwd",
}
CRAWL_ROLES = (ANONYMOUS, PARENT, TEACHER, PRINCIPAL, INSPECTOR, BUREAU)
CRAWL = [
    pytest.param(pattern, url, id=pattern.key)
    for pattern in PATTERNS
    if (url := expectation(pattern)) is not None and url.get is not None
]


@pytest.mark.parametrize(("pattern", "url"), CRAWL)
def test_hostile_parameters_never_give_a_server_error(world, sessions, db, pattern, url):
    """Every URL, as every kind of user, with wrong parameters: never a 500. Parameters whose
    bytes are not UTF-8 get the 400 page before anything runs."""
    case = url.cases[0]
    for role in CRAWL_ROLES:
        client = Client()
        client.cookies = copy.deepcopy(sessions[role])
        path = _path(pattern, url.kwargs(world, role, case) if url.kwargs else {})
        query = {**(url.query(world, role, case) if url.query else {}), **HOSTILE}
        response = client.get(path + "?" + urlencode(query))
        assert response.status_code < 500, f"GET {path} as {role}: {response.status_code}"
        if response.streaming:
            b"".join(response.streaming_content)
        broken = client.get(path + "?q=%E7%8E%8B%FF&page=%C0")
        assert broken.status_code == 400, f"GET {path} as {role}: {broken.status_code}"
        assert "请求无效" in broken.content.decode()
