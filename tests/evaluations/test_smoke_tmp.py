from evaluations.ledger import verify_chain
from tests import factories


def test_smoke(bureau, teacher):
    r = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    assert r.status == "published"
    assert verify_chain().ok
