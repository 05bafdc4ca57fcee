"""The protection concerns of the API contract, with English and Khmer labels."""

from django.db import migrations

CONCERNS = [
    ("sex_trafficking", "Sex trafficking", "ការជួញដូរផ្លូវភេទ"),
    ("labour_trafficking", "Labour trafficking", "ការជួញដូរពលកម្ម"),
    ("forced_marriage", "Forced or fraudulent marriage", "អាពាហ៍ពិពាហ៍ដោយបង្ខំ ឬក្លែងបន្លំ"),
    (
        "commercial_sexual_exploitation",
        "Commercial sexual exploitation",
        "ការកេងប្រវ័ញ្ចផ្លូវភេទពាណិជ្ជកម្ម",
    ),
    ("online_sexual_exploitation", "Online sexual exploitation", "ការកេងប្រវ័ញ្ចផ្លូវភេទតាមអនឡាញ"),
    (
        "sexual_exploitation_travel_tourism",
        "Sexual exploitation in travel and tourism",
        "ការកេងប្រវ័ញ្ចផ្លូវភេទក្នុងការធ្វើដំណើរ និងទេសចរណ៍",
    ),
    ("child_labour", "Worst forms of child labour", "ទម្រង់ធ្ងន់ធ្ងរបំផុតនៃពលកម្មកុមារ"),
    ("physical_abuse", "Physical abuse", "ការរំលោភបំពានលើរាងកាយ"),
    ("emotional_abuse", "Emotional abuse", "ការរំលោភបំពានផ្លូវចិត្ត"),
    ("sexual_abuse", "Sexual abuse", "ការរំលោភបំពានផ្លូវភេទ"),
    ("neglect", "Neglect", "ការធ្វេសប្រហែស"),
    ("domestic_violence", "Domestic violence", "អំពើហិង្សាក្នុងគ្រួសារ"),
    ("unaccompanied_separated", "Unaccompanied or separated child", "កុមារគ្មានអ្នកអមដំណើរ ឬបែកពីគ្រួសារ"),
    ("left_behind", "Left behind by migrating parents", "កុមារដែលឪពុកម្ដាយចំណាកស្រុកទុកចោល"),
    ("migrating_child", "Migrating child", "កុមារចំណាកស្រុក"),
    ("street_connected", "Street-connected child", "កុមារនៅតាមផ្លូវ"),
    ("residential_care", "Child in residential care", "កុមារក្នុងមណ្ឌលថែទាំ"),
    ("conflict_with_law", "Child in conflict with the law", "កុមារប៉ះទង្គិចនឹងច្បាប់"),
    ("victim_witness", "Child victim or witness in proceedings", "កុមាររងគ្រោះ ឬសាក្សីក្នុងនីតិវិធីតុលាការ"),
    ("no_birth_registration", "No birth registration or stateless", "គ្មានសំបុត្រកំណើត ឬគ្មានសញ្ជាតិ"),
    ("child_marriage", "Child marriage", "អាពាហ៍ពិពាហ៍កុមារ"),
    ("out_of_school", "Out of school", "កុមារនៅក្រៅសាលា"),
    ("other", "Other", "ផ្សេងៗ"),
]


def load(apps, schema_editor):
    ConcernType = apps.get_model("cases", "ConcernType")
    for order, (code, label_en, label_km) in enumerate(CONCERNS):
        ConcernType.objects.update_or_create(
            code=code, defaults={"label_en": label_en, "label_km": label_km, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_name_search")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
