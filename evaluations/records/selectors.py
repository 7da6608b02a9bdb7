"""Reads of the credit ledger: a record's chain, eligibility answers, the red and black lists.

Everything that takes a list answers for the whole list with a fixed number of queries.
"""

from evaluations.models import (
    CreditRecord,
)


def record_chain(record: CreditRecord) -> dict:
    """Everything that happened to a record, oldest first: ledger links, objections, repair
    applications, and the amendments that replaced it (each with its own chain)."""
    return {
        "record": record,
        "ledger": list(record.ledger.select_related("actor").order_by("id")),
        "objections": list(record.objections.select_related("filed_by", "decided_by")),
        "repairs": list(record.repairs.select_related("applicant", "decided_by")),
        "amendments": list(record.amendments.select_related("item")),
        "amends": record.amends,
    }
