"""``manage.py load_reference_data``: bring the registry up to date with the reviewed reference data
of the ``fixtures`` folder (see ``fixtures/README.md``).

- The behaviour catalog (``catalog.json``): items are matched by their code; a new code is added,
  an item whose fields differ from the file is updated.
- The questionnaires (``questionnaires.json``): matched by their name, their items by number
  (``order``); a new questionnaire or item is added, a changed one is updated.
- The checklist areas (``checklist_areas.json``) are fixed by the system: the file is checked
  against them and against the catalog, which decides what a failed area turns into.
- The default policy (``policy.json``) is checked; it is used when the first assessment year is
  opened, and is never applied to a year that already has a policy.

Safe to repeat: a second run changes nothing. It never deletes anything (what is in the database
but not in the files is only listed), and it never changes what published records rest on: a
catalog item used by a published record, or a questionnaire of a round that has opened, is kept
as it is and listed. Every file is checked before anything is written and everything is written
in one transaction, so a bad file changes nothing: the command names the file and the entry and
exits with status 1. ``--dry-run`` reports what would change and writes nothing; ``--check`` only
checks the files and needs no database, for a review before the first installation.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from credit_registry import reference_data
from credit_registry.reference_data import ReferenceDataError
from evaluations.models import (
    PUBLISHED_STATUSES,
    CatalogItem,
    CreditRecord,
    EvaluationRound,
    QuestionItem,
    Questionnaire,
    RoundStatus,
)


@dataclass
class Tally:
    """What loading one file did, entry by entry."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # differs from the file, but protected
    extra: list[str] = field(default_factory=list)  # in the database, not in the file

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _save(obj, file: str, entry: str) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        problems = "；".join(error.messages)
        raise CommandError(
            _("fixtures/%(file)s %(entry)s：不能保存（%(problems)s），未写入任何数据")
            % {"file": file, "entry": entry, "problems": problems}
        ) from error
    obj.save()


def load_catalog(catalog: reference_data.Catalog) -> Tally:
    tally = Tally()
    existing = {item.code: item for item in CatalogItem.objects.all()}
    published = set(
        CreditRecord.objects.filter(status__in=PUBLISHED_STATUSES)
        .values_list("item__code", flat=True)
        .distinct()
    )
    for row in catalog.items:
        values = row.values()
        item = existing.pop(row.code, None)
        if item is None:
            _save(CatalogItem(code=row.code, **values), reference_data.CATALOG_FILE, row.code)
            tally.created.append(f"{row.code} {row.name}")
            continue
        changed = [name for name, value in values.items() if getattr(item, name) != value]
        if not changed:
            tally.unchanged += 1
        elif row.code in published:
            tally.kept.append(f"{row.code} {item.name}（{', '.join(changed)}）")
        else:
            for name in changed:
                setattr(item, name, values[name])
            _save(item, reference_data.CATALOG_FILE, row.code)
            tally.updated.append(f"{row.code} {row.name}（{', '.join(changed)}）")
    tally.extra = [f"{code} {item.name}" for code, item in sorted(existing.items())]
    return tally


def load_questionnaires(data: reference_data.Questionnaires) -> Tally:
    tally = Tally()
    file = reference_data.QUESTIONNAIRES_FILE
    existing = {q.name: q for q in Questionnaire.objects.prefetch_related("items")}
    in_use = set(
        EvaluationRound.objects.exclude(status=RoundStatus.DRAFT).values_list(
            "questionnaire_id", flat=True
        )
    )
    for row in data.questionnaires:
        questionnaire = existing.pop(row.name, None)
        if questionnaire is None:
            questionnaire = Questionnaire(
                name=row.name, subject_kind=row.subject_kind, instructions=row.instructions
            )
            _save(questionnaire, file, row.code)
            for question in row.items:
                _save(_question(questionnaire, question), file, f"{row.code}.{question.code}")
            tally.created.append(row.name)
            continue
        changed = [
            name
            for name in ("subject_kind", "instructions")
            if getattr(questionnaire, name) != getattr(row, name)
        ]
        items = {item.order: item for item in questionnaire.items.all()}
        new_questions, changed_items = [], []
        for question in row.items:
            item = items.pop(question.order, None)
            if item is None:
                new_questions.append(question)
            elif (item.title, item.text) != (question.title, question.text):
                changed_items.append((item, question))
        orders = sorted(
            [question.order for question in new_questions]
            + [question.order for _, question in changed_items]
        )
        changed += [f"items #{order}" for order in orders]
        tally.extra += [
            f"{row.name} #{order} {item.title}" for order, item in sorted(items.items())
        ]
        if not changed:
            tally.unchanged += 1
            continue
        if questionnaire.pk in in_use:
            tally.kept.append(f"{row.name}（{', '.join(changed)}）")
            continue
        questionnaire.subject_kind = row.subject_kind
        questionnaire.instructions = row.instructions
        _save(questionnaire, file, row.code)
        for item, question in changed_items:
            item.title, item.text = question.title, question.text
            _save(item, file, f"{row.code}.{question.code}")
        for question in new_questions:
            _save(_question(questionnaire, question), file, f"{row.code}.{question.code}")
        tally.updated.append(f"{row.name}（{', '.join(changed)}）")
    tally.extra += sorted(existing)
    return tally


def _question(questionnaire, question: reference_data.QuestionRow) -> QuestionItem:
    return QuestionItem(
        questionnaire=questionnaire, order=question.order, title=question.title, text=question.text
    )


class Command(BaseCommand):
    help = (
        "Load or update the behaviour catalog and the questionnaires from the reference data files "
        "of the fixtures folder, and check the checklist areas and the default policy; matched by "
        "code, never deleting, never changing what published records use."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check and report what would change, write nothing",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the files, without a database (before the first installation)",
        )

    def handle(self, *args, dry_run, check, **options):
        try:
            data = reference_data.check_all()
        except ReferenceDataError as error:
            raise CommandError(
                _("%(error)s\n参考数据文件有误，未写入任何数据") % {"error": error}
            ) from error
        if check:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "参考数据文件无误：信用事项%(items)s项，测评问卷%(questionnaires)s份，"
                        "检查项目%(areas)s项，奖惩规则%(rules)s条。"
                    )
                    % {
                        "items": len(data.catalog.items),
                        "questionnaires": len(data.questionnaires.questionnaires),
                        "areas": len(data.checklist_areas),
                        "rules": len(data.policy.rules),
                    }
                )
            )
            return
        with transaction.atomic():
            catalog = load_catalog(data.catalog)
            questionnaires = load_questionnaires(data.questionnaires)
            if dry_run:
                transaction.set_rollback(True)

        if dry_run:
            self.stdout.write(_("试运行，未写入任何数据"))
        self._report(
            _("信用事项"),
            reference_data.CATALOG_FILE,
            catalog,
            kept=_("已有已公布的记录使用，未修改"),
        )
        self._report(
            _("测评问卷"),
            reference_data.QUESTIONNAIRES_FILE,
            questionnaires,
            kept=_("已用于已开始的测评轮次，未修改"),
        )
        self.stdout.write(
            _("检查项目（fixtures/%(file)s）：%(count)s项与系统一致")
            % {"file": reference_data.CHECKLIST_AREAS_FILE, "count": len(data.checklist_areas)}
        )
        for area in data.checklist_areas:
            self.stdout.write(f"  {area.code} {area.label} → {area.catalog_item}")
        self.stdout.write(
            _(
                "考核政策（fixtures/%(file)s）：%(defaults)s项默认值、%(rules)s条奖惩规则有效，"
                "开设第一个考核学年时使用，已有政策的学年不受影响"
            )
            % {
                "file": reference_data.POLICY_FILE,
                "defaults": len(data.policy.defaults),
                "rules": len(data.policy.rules),
            }
        )
        changed = catalog.changed or questionnaires.changed
        if dry_run:
            verdict = _("会有改动") if changed else _("不会有改动")
        else:
            verdict = _("已更新") if changed else _("无改动")
        self.stdout.write(self.style.SUCCESS(verdict))

    def _report(self, title: str, file: str, tally: Tally, *, kept: str) -> None:
        self.stdout.write(
            _(
                "%(title)s (fixtures/%(file)s): 新增%(created_count)s、更新%(updated_count)s、未变%(unchanged)s、保留%(kept_count)s"
            )
            % {
                "title": title,
                "file": file,
                "created_count": len(tally.created),
                "updated_count": len(tally.updated),
                "unchanged": tally.unchanged,
                "kept_count": len(tally.kept),
            }
        )
        for line in tally.created:
            self.stdout.write(f"  + {line}")
        for line in tally.updated:
            self.stdout.write(f"  ~ {line}")
        for line in tally.kept:
            self.stdout.write(self.style.WARNING(f"  = {line}：{kept}"))
        for line in tally.extra:
            self.stdout.write(_("  · %(line)s：数据库中有、文件中没有，保留") % {"line": line})
