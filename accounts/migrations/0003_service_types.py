"""The service types of the API contract, with English and Khmer labels."""

from django.db import migrations

SERVICE_TYPES = [
    ("shelter", "Shelter", "ជម្រកសុវត្ថិភាព"),
    ("medical", "Medical care", "ការថែទាំវេជ្ជសាស្ត្រ"),
    ("psychosocial", "Psychosocial support", "ការគាំទ្រផ្លូវចិត្តសង្គម"),
    ("legal_aid", "Legal aid", "ជំនួយផ្លូវច្បាប់"),
    ("education", "Education", "ការអប់រំ"),
    ("vocational_training", "Vocational training", "ការបណ្តុះបណ្តាលវិជ្ជាជីវៈ"),
    ("family_tracing", "Family tracing", "ការស្វែងរកគ្រួសារ"),
    ("repatriation", "Repatriation", "ការធ្វើមាតុភូមិនិវត្តន៍"),
    ("cash_support", "Cash support", "ជំនួយជាសាច់ប្រាក់"),
    ("livelihood", "Livelihood support", "ការគាំទ្រជីវភាព"),
    ("alternative_care", "Alternative care", "ការថែទាំជំនួស"),
    ("follow_up", "Follow-up", "ការតាមដាន"),
    ("investigation", "Investigation", "ការស៊ើបអង្កេត"),
]


def load(apps, schema_editor):
    ServiceType = apps.get_model("accounts", "ServiceType")
    for order, (code, label_en, label_km) in enumerate(SERVICE_TYPES):
        ServiceType.objects.update_or_create(
            code=code, defaults={"label_en": label_en, "label_km": label_km, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_provinces")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
