"""What both languages read when a date is typed: the day first, as Cambodia writes a date. The
first format is also how a date stands in its input (core.web.DateInput); Khmer digits and eight
digits alone are made into these shapes before they are read (core.web.typed_date)."""

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 25/12/2026
    "%Y-%m-%d",  # 2026-12-25, as the API and links write a date
    "%d-%m-%Y",  # 25-12-2026, and the separators a phone's number pad offers
    "%d.%m.%Y",  # 25.12.2026
    "%d %m %Y",  # 25 12 2026
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
]
