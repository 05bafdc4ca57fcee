"""The default risk instrument (version 1). System admins publish new versions in the admin;
assessments keep the version they were made with."""

from django.db import migrations

# (code, domain, text_en, text_km, [(option code, label_en, label_km, score, minimum level)])
QUESTIONS = [
    (
        "immediate_danger",
        "immediate_safety",
        "Is the child in immediate danger of serious harm?",
        "តើកុមារកំពុងប្រឈមនឹងគ្រោះថ្នាក់ធ្ងន់ធ្ងរភ្លាមៗឬទេ?",
        [
            ("no", "No", "ទេ", 0, ""),
            ("possibly", "Possibly", "អាចមាន", 3, "medium"),
            ("yes", "Yes", "បាទ/ចាស", 6, "critical"),
        ],
    ),
    (
        "harm_severity",
        "severity",
        "How severe is the harm the child has suffered?",
        "តើកុមាររងគ្រោះធ្ងន់ធ្ងរកម្រិតណា?",
        [
            ("none", "No harm seen", "មិនឃើញមានគ្រោះថ្នាក់", 0, ""),
            ("minor", "Minor", "តិចតួច", 1, ""),
            ("moderate", "Moderate", "មធ្យម", 3, ""),
            ("severe", "Severe (injury, sexual violence)", "ធ្ងន់ធ្ងរ (របួស អំពើហិង្សាផ្លូវភេទ)", 5, "high"),
        ],
    ),
    (
        "child_age",
        "vulnerability",
        "How old is the child?",
        "តើកុមារមានអាយុប៉ុន្មាន?",
        [
            ("15_17", "15 to 17", "១៥ ដល់ ១៧ ឆ្នាំ", 0, ""),
            ("12_14", "12 to 14", "១២ ដល់ ១៤ ឆ្នាំ", 1, ""),
            ("6_11", "6 to 11", "៦ ដល់ ១១ ឆ្នាំ", 2, ""),
            ("under_6", "Under 6", "ក្រោម ៦ ឆ្នាំ", 3, ""),
        ],
    ),
    (
        "disability",
        "vulnerability",
        "Does a disability or serious illness limit the child's ability to protect themselves?",
        "តើពិការភាព ឬជំងឺធ្ងន់ធ្ងរ កំណត់សមត្ថភាពការពារខ្លួនរបស់កុមារឬទេ?",
        [("no", "No", "ទេ", 0, ""), ("yes", "Yes", "បាទ/ចាស", 2, "")],
    ),
    (
        "caregiver_protection",
        "caregivers",
        "Can the caregivers protect the child?",
        "តើអ្នកថែទាំអាចការពារកុមារបានឬទេ?",
        [
            ("able", "Able and willing", "អាច និងសុខចិត្ត", 0, ""),
            ("partly", "Partly", "បានខ្លះ", 2, ""),
            ("unable", "Unable or unwilling", "មិនអាច ឬមិនសុខចិត្ត", 4, ""),
            ("perpetrator", "A caregiver is the alleged perpetrator", "អ្នកថែទាំជាជនសង្ស័យ", 5, "high"),
        ],
    ),
    (
        "perpetrator_access",
        "perpetrator",
        "Does the alleged perpetrator have access to the child?",
        "តើជនសង្ស័យអាចចូលជិតកុមារបានឬទេ?",
        [
            ("none", "No access", "មិនអាច", 0, ""),
            ("limited", "Limited or supervised", "មានកម្រិត ឬមានការត្រួតពិនិត្យ", 2, ""),
            ("unrestricted", "Unrestricted", "គ្មានការរឹតត្បិត", 4, ""),
        ],
    ),
    (
        "debt_bondage",
        "exploitation",
        "Is the child or family bound by a debt to an employer, broker or recruiter?",
        "តើកុមារ ឬគ្រួសារជាប់បំណុលនឹងនិយោជក ឈ្មួញកណ្ដាល ឬអ្នកជ្រើសរើសឬទេ?",
        [("no", "No", "ទេ", 0, ""), ("yes", "Yes", "បាទ/ចាស", 3, "")],
    ),
    (
        "confinement",
        "exploitation",
        "Is the child confined, or is their movement controlled by others?",
        "តើកុមារត្រូវបានឃុំខ្លួន ឬត្រូវបានគេគ្រប់គ្រងការធ្វើដំណើរឬទេ?",
        [("no", "No", "ទេ", 0, ""), ("yes", "Yes", "បាទ/ចាស", 4, "high")],
    ),
    (
        "deception",
        "exploitation",
        "Were the child or family deceived about the work, the place or the conditions?",
        "តើកុមារ ឬគ្រួសារត្រូវបានបោកបញ្ឆោតអំពីការងារ ទីកន្លែង ឬលក្ខខណ្ឌឬទេ?",
        [("no", "No", "ទេ", 0, ""), ("yes", "Yes", "បាទ/ចាស", 2, "")],
    ),
    (
        "documents_withheld",
        "exploitation",
        "Are the child's identity documents held by someone else against their will?",
        "តើឯកសារអត្តសញ្ញាណរបស់កុមារ ត្រូវបានអ្នកដទៃរក្សាទុកដោយគ្មានការយល់ព្រមឬទេ?",
        [("no", "No", "ទេ", 0, ""), ("yes", "Yes", "បាទ/ចាស", 2, "")],
    ),
    (
        "previous_harm",
        "history",
        "Has the child been harmed before, or been known to child protection services?",
        "តើកុមារធ្លាប់រងគ្រោះពីមុន ឬធ្លាប់ស្គាល់ដោយសេវាការពារកុមារឬទេ?",
        [
            ("no", "No", "ទេ", 0, ""),
            ("once", "Once", "ម្ដង", 1, ""),
            ("repeatedly", "Repeatedly", "ច្រើនដង", 3, ""),
        ],
    ),
]

# level, from % of the highest possible score, respond within (hours), reassess after (days)
BANDS = [
    ("low", 0, 168, 90),
    ("medium", 20, 72, 30),
    ("high", 45, 24, 14),
    ("critical", 70, 4, 7),
]


def load(apps, schema_editor):
    RiskInstrument = apps.get_model("cases", "RiskInstrument")
    if RiskInstrument.objects.filter(version=1).exists():
        return
    instrument = RiskInstrument.objects.create(
        version=1, name="Child protection risk assessment", is_current=True
    )
    for level, from_percent, hours, days in BANDS:
        instrument.bands.create(
            level=level,
            from_percent=from_percent,
            respond_within_hours=hours,
            reassess_after_days=days,
        )
    for order, (code, domain, text_en, text_km, options) in enumerate(QUESTIONS):
        question = instrument.questions.create(
            code=code, order=order, domain=domain, text_en=text_en, text_km=text_km
        )
        for option_order, (option, label_en, label_km, score, floor) in enumerate(options):
            question.options.create(
                code=option,
                order=option_order,
                label_en=label_en,
                label_km=label_km,
                score=score,
                minimum_level=floor,
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_concern_types")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
