"""The 25 provinces of Cambodia with their national gazetteer codes."""

from django.db import migrations

PROVINCES = [
    ("01", "Banteay Meanchey", "បន្ទាយមានជ័យ"),
    ("02", "Battambang", "បាត់ដំបង"),
    ("03", "Kampong Cham", "កំពង់ចាម"),
    ("04", "Kampong Chhnang", "កំពង់ឆ្នាំង"),
    ("05", "Kampong Speu", "កំពង់ស្ពឺ"),
    ("06", "Kampong Thom", "កំពង់ធំ"),
    ("07", "Kampot", "កំពត"),
    ("08", "Kandal", "កណ្ដាល"),
    ("09", "Koh Kong", "កោះកុង"),
    ("10", "Kratie", "ក្រចេះ"),
    ("11", "Mondul Kiri", "មណ្ឌលគិរី"),
    ("12", "Phnom Penh", "ភ្នំពេញ"),
    ("13", "Preah Vihear", "ព្រះវិហារ"),
    ("14", "Prey Veng", "ព្រៃវែង"),
    ("15", "Pursat", "ពោធិ៍សាត់"),
    ("16", "Ratanak Kiri", "រតនគិរី"),
    ("17", "Siem Reap", "សៀមរាប"),
    ("18", "Preah Sihanouk", "ព្រះសីហនុ"),
    ("19", "Stung Treng", "ស្ទឹងត្រែង"),
    ("20", "Svay Rieng", "ស្វាយរៀង"),
    ("21", "Takeo", "តាកែវ"),
    ("22", "Oddar Meanchey", "ឧត្ដរមានជ័យ"),
    ("23", "Kep", "កែប"),
    ("24", "Pailin", "ប៉ៃលិន"),
    ("25", "Tboung Khmum", "ត្បូងឃ្មុំ"),
]


def load_provinces(apps, schema_editor):
    Location = apps.get_model("accounts", "Location")
    for code, name_en, name_km in PROVINCES:
        Location.objects.update_or_create(
            code=code,
            defaults={
                "name_en": name_en,
                "name_km": name_km,
                "level": "province",
                "parent": None,
                "path": f"{code}/",
            },
        )


def unload_provinces(apps, schema_editor):
    Location = apps.get_model("accounts", "Location")
    Location.objects.filter(code__in=[code for code, _, _ in PROVINCES], level="province").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load_provinces, unload_provinces)]
