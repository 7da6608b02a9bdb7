"""A student answers the teacher evaluation with the one-time code from a printed card: no
account, the code typed as people type it, the head teacher already chosen; the code then
refuses a second answer."""

from evaluations.models import AccessCode, RaterGroup, Response
from evaluations.rounds import services as evaluation_services
from tests import factories
from tests.browser.conftest import browser_test


@browser_test
def test_a_one_time_code_answers_the_questionnaire_once(open_page, steps):
    bureau = factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    school = factories.make_school("蕉城第一中学")
    head = factories.make_teacher(school, "王老师", subject="语文")
    factories.make_teacher(school, "赵老师", subject="数学")
    classroom = factories.make_classroom(school, head_teacher=head, name="3班")
    evaluation_round = factories.make_round(by=bureau)
    (code,) = evaluation_services.generate_codes(
        evaluation_round=evaluation_round,
        by=bureau,
        group=RaterGroup.STUDENT,
        school=school,
        classroom=classroom,
        count=1,
    )
    items = list(evaluation_round.questionnaire.items.values_list("pk", flat=True))

    page = open_page(None, "/survey/")
    steps.shot(page, "enter-code")
    typed = f" {code.code[:5].lower()} {code.code[5:].lower()} "  # as someone might type it
    page.fill("input[name=code]", typed)
    with page.expect_navigation():
        page.get_by_role("button", name="开始测评").click()
    assert page.url.endswith(f"/survey/c/{code.code}/")

    head_box = page.locator(f"input[name=teachers][value='{head.pk}']")
    head_box.wait_for()
    assert head_box.is_checked()  # the class's head teacher is chosen already
    assert page.get_by_text("王*师（语文） · 班主任").is_visible()  # names are masked
    assert "王老师" not in page.content()
    steps.shot(page, "choose-teachers")
    with page.expect_navigation():
        page.get_by_role("button", name="下一步：评分").click()

    for n, item in enumerate(items):
        page.check(f"input[name=t{head.pk}_i{item}][value='{5 - n % 2}']")
    steps.shot(page, "rate")
    with page.expect_navigation():
        page.get_by_role("button", name="提交评价").click()
    page.get_by_role("heading", name="感谢您的参与").wait_for()
    steps.shot(page, "thanks")

    code.refresh_from_db()
    assert code.used_at is not None
    response = Response.objects.get()
    assert (response.ratee, response.group, response.assignment) == (head, RaterGroup.STUDENT, None)
    assert response.answers.count() == len(items)

    page.goto(f"/survey/c/{code.code}/")
    page.get_by_text("已经使用过").wait_for()
    steps.shot(page, "code-used")
    assert Response.objects.count() == 1
    assert AccessCode.objects.filter(used_at__isnull=True).count() == 0
