"""The border crossings and transit centres where most children cross back: the international
checkpoints on the Thai and Vietnamese borders and the social-affairs transit centres beside
them. System admins add others through the admin site."""

from django.db import migrations

CROSSINGS = [
    # code, kind, English, Khmer, country faced
    ("poipet", "border_point", "Poipet", "ប៉ោយប៉ែត", "TH"),
    ("cham_yeam", "border_point", "Cham Yeam (Koh Kong)", "ចាំយាម (កោះកុង)", "TH"),
    ("osmach", "border_point", "O'Smach (Oddar Meanchey)", "អូរស្មាច់ (ឧត្ដរមានជ័យ)", "TH"),
    ("daung", "border_point", "Daung (Battambang)", "ដូង (បាត់ដំបង)", "TH"),
    ("bavet", "border_point", "Bavet (Svay Rieng)", "បាវិត (ស្វាយរៀង)", "VN"),
    ("prek_chak", "border_point", "Prek Chak (Kampot)", "ព្រែកចាក (កំពត)", "VN"),
    ("kaam_samnor", "border_point", "Kaam Samnor (Kandal)", "ក្អមសំណរ (កណ្ដាល)", "VN"),
    ("trapeang_kriel", "border_point", "Trapeang Kriel (Stung Treng)", "ត្រពាំងគ្រៀល (ស្ទឹងត្រែង)", "LA"),
    (
        "poipet_transit_centre",
        "transit_centre",
        "Poipet Transit Centre",
        "មជ្ឈមណ្ឌលស្នាក់នៅបណ្ដោះអាសន្នប៉ោយប៉ែត",
        "TH",
    ),
    (
        "bavet_transit_centre",
        "transit_centre",
        "Bavet Transit Centre",
        "មជ្ឈមណ្ឌលស្នាក់នៅបណ្ដោះអាសន្នបាវិត",
        "VN",
    ),
]


def load(apps, schema_editor):
    Crossing = apps.get_model("trafficking", "Crossing")
    Crossing.objects.bulk_create(
        [
            Crossing(code=code, kind=kind, name_en=name_en, name_km=name_km, country=country)
            for code, kind, name_en, name_km, country in CROSSINGS
        ],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    Crossing = apps.get_model("trafficking", "Crossing")
    Crossing.objects.filter(code__in=[row[0] for row in CROSSINGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("trafficking", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
