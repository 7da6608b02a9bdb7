from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evaluations.records.ledger import verify_chain


class Command(BaseCommand):
    help = "Walk the ledger's hash chain and name the first broken link."

    def handle(self, *args, **options):
        check = verify_chain()
        for mismatch in check.mismatches:
            expected = mismatch.expected or _("（无账本条目）")
            self.stderr.write(
                _("信用记录#%(record_id)s：账本应为 %(expected)s，实际为 %(stored)s")
                % {"record_id": mismatch.record_id, "expected": expected, "stored": mismatch.stored}
            )
        if not check.ok:
            link = f"#{check.broken_entry_id}" if check.broken_entry_id else "（链尾）"
            raise CommandError(
                _(
                    "账本校验失败：第一个断开的环节为条目%(link)s，%(problem)s；此前%(checked)s个环节完好。"
                )
                % {"link": link, "problem": check.problem, "checked": check.checked}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("账本完整：%(checked)s个环节全部校验通过。") % {"checked": check.checked}
            )
        )
