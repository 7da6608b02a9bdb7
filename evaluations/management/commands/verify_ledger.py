from django.core.management.base import BaseCommand, CommandError

from evaluations.records.ledger import verify_chain


class Command(BaseCommand):
    help = "Walk the ledger's hash chain and name the first broken link. 校验信用账本哈希链。"

    def handle(self, *args, **options):
        check = verify_chain()
        for mismatch in check.mismatches:
            expected = mismatch.expected or "（无账本条目 / no ledger entry）"
            self.stderr.write(
                f"信用记录#{mismatch.record_id}：账本应为 {expected}，实际为 {mismatch.stored} / "
                f"record #{mismatch.record_id}: ledger says {expected}, stored {mismatch.stored}"
            )
        if not check.ok:
            link = f"#{check.broken_entry_id}" if check.broken_entry_id else "（链尾）"
            raise CommandError(
                f"账本校验失败：第一个断开的环节为条目{link}，{check.problem}；此前{check.checked}个环节完好。"
                f" / Ledger broken at entry {link}: {check.problem}."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"账本完整：{check.checked}个环节全部校验通过。 / Ledger intact: {check.checked} links verified."
            )
        )
