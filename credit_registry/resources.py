"""The spreadsheet imports and exports the registry offers, by name."""

from evaluations.records.resources import CreditRecordResource
from schools.resources import IntegrityActivityResource, SchoolResource
from students.resources import StudentResource
from teachers.resources import TeacherResource

RESOURCES = {
    "schools": SchoolResource,
    "teachers": TeacherResource,
    "students": StudentResource,
    "records": CreditRecordResource,
    "activities": IntegrityActivityResource,
}
