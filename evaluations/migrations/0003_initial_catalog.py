"""The initial behaviour catalog, taken from the bureau's 2019 plan.

Points are defaults the bureau may change in the admin site; disclosure and repair periods follow
the national tiers for public credit information (minor ≤ 3 months, general 3–12 months, severe
1–3 years).
"""

from decimal import Decimal

from django.db import migrations

TIERS = {
    "minor": (90, 30),
    "general": (365, 90),
    "severe": (1095, 365),
}

# code, name, subject kind, points, severity, vetoes
CATALOG = [
    ("T-PAID-TUTORING", "有偿补课", "teacher", -10, "general", False),
    ("T-CORPORAL-PUNISHMENT", "体罚或变相体罚学生", "teacher", -15, "severe", True),
    ("T-PAPER-FRAUD", "论文作假", "teacher", -15, "severe", True),
    ("T-EXAM-CHEATING-INVIGILATOR", "考试作弊（监考违规）", "teacher", -10, "general", False),
    ("T-EXAM-CHEATING-CANDIDATE", "考试作弊（作为考生）", "teacher", -10, "general", False),
    ("T-CREDENTIAL-FRAUD", "学历造假", "teacher", -20, "severe", True),
    ("T-GIFTS", "违规收受礼品礼金", "teacher", -8, "general", False),
    ("T-ETHICS-COMMENDATION", "师德典型表彰", "teacher", 5, "minor", False),
    ("S-ARBITRARY-FEES", "乱收费", "school", -10, "general", False),
    ("S-IRREGULAR-ENROLMENT", "违规招生", "school", -10, "general", False),
    ("S-UNAUTHORISED-CLASSES", "乱办班乱补课", "school", -8, "general", False),
    ("S-TEACHING-MATERIALS", "乱订教辅资料", "school", -5, "minor", False),
    ("S-FALSE-ADVERTISING", "虚假或违规广告", "school", -10, "general", False),
    ("S-DISCLOSURE", "校务公开不到位", "school", -3, "minor", False),
    ("S-CURRICULUM", "课程设置不规范", "school", -3, "minor", False),
    ("S-TEACHING-ROUTINE", "教学常规不落实", "school", -3, "minor", False),
    ("S-ILLEGAL-OPERATION", "无证或严重违法违规办学", "school", -30, "severe", True),
    ("S-INTEGRITY-ACTIVITY", "诚信教育活动", "school", 1, "minor", False),
    ("S-COLLECTIVE-HONOUR", "诚信集体表彰", "school", 5, "minor", False),
    ("ST-EXAM-CHEATING", "考试作弊", "student", -5, "general", False),
    ("ST-COPYING-HOMEWORK", "抄袭作业", "student", -1, "minor", False),
    ("ST-DISCIPLINE-WARNING", "违纪处分（警告）", "student", -2, "minor", False),
    ("ST-DISCIPLINE-SERIOUS-WARNING", "违纪处分（严重警告）", "student", -4, "minor", False),
    ("ST-DISCIPLINE-DEMERIT", "违纪处分（记过）", "student", -6, "general", False),
    ("ST-DISCIPLINE-PROBATION", "违纪处分（留校察看）", "student", -10, "severe", False),
    ("ST-INTEGRITY-STAR", "诚信之星", "student", 5, "minor", False),
    ("ST-RETURNING-LOST-PROPERTY", "拾金不昧", "student", 2, "minor", False),
]


def load(apps, schema_editor):
    CatalogItem = apps.get_model("evaluations", "CatalogItem")
    for code, name, kind, points, severity, vetoes in CATALOG:
        disclosure, repair = TIERS[severity]
        CatalogItem.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "subject_kind": kind,
                "polarity": "positive" if points > 0 else "negative",
                "default_points": Decimal(points),
                "severity": severity,
                "vetoes": vetoes,
                "disclosure_days": disclosure,
                "repair_min_days": repair,
            },
        )


def unload(apps, schema_editor):
    CatalogItem = apps.get_model("evaluations", "CatalogItem")
    CatalogItem.objects.filter(code__in=[row[0] for row in CATALOG], records__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0002_ledger_triggers")]

    operations = [migrations.RunPython(load, unload)]
