"""The bureau's pages for the evaluations app, one module per sub-domain. Every state change goes
through the services: the admin offers the steps the rule-book allows (as actions or small
forms), the services decide, and a refusal is shown as an error message."""

from evaluations.admin import assessment, clues, disputes, records, rounds

__all__ = ["assessment", "clues", "disputes", "records", "rounds"]
