"""Names for synthetic people and places, each in Latin letters and in Khmer script.

Khmer names are romanised in several ways ("Sreymom", "Srey Mom", "Sreymum"), which is what
makes fuzzy search necessary; the variants below reproduce that. Place names are built from
common parts of Cambodian place names (Prek, Kampong, Boeng... Thmei, Chas, Leu...)."""

from __future__ import annotations

# Each name is a pair: the Latin spelling, then the Khmer script.
FAMILY_NAMES: tuple[tuple[str, str], ...] = (
    ("Sok", "សុខ"), ("Chea", "ជា"), ("Kim", "គីម"), ("Lim", "លឹម"), ("Heng", "ហេង"),
    ("Keo", "កែវ"), ("Chan", "ចាន់"), ("Ouk", "អ៊ុក"), ("Mao", "ម៉ៅ"), ("Meas", "មាស"),
    ("Pich", "ពេជ្រ"), ("Prak", "ប្រាក់"), ("Sam", "សំ"), ("Seng", "សេង"), ("Sin", "ស៊ិន"),
    ("Touch", "ទូច"), ("Ung", "អ៊ុង"), ("Vann", "វ៉ាន់"), ("Yim", "យឹម"), ("Ly", "លី"),
    ("Nget", "ង៉ែត"), ("Hem", "ហែម"), ("Long", "ឡុង"), ("Mam", "ម៉ម"), ("Phan", "ផាន់"),
    ("Khim", "ឃីម"), ("Chhun", "ឈុន"), ("Tep", "ទេព"), ("Nhem", "ញឹម"), ("Hak", "ហាក់"),
)  # fmt: skip

FEMALE_GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("Sreymom", "ស្រីមុំ"), ("Bopha", "បុប្ផា"), ("Sophea", "សុភា"), ("Chanthy", "ចន្ធី"),
    ("Sokha", "សុខា"), ("Kanha", "កញ្ញា"), ("Leakhena", "លក្ខិណា"), ("Channary", "ចន្ទនារី"),
    ("Malis", "ម្លិះ"), ("Pisey", "ពិសី"), ("Rachana", "រចនា"), ("Sothea", "សុធា"),
    ("Theary", "ធារី"), ("Vanna", "វណ្ណា"), ("Neary", "នារី"), ("Phalla", "ផល្លា"),
    ("Sopheap", "សុភាព"), ("Sreyneang", "ស្រីនាង"), ("Sreypov", "ស្រីពៅ"), ("Chenda", "ចិន្តា"),
    ("Dalin", "ដាលីន"), ("Kolab", "កុលាប"), ("Sophorn", "សុភ័ណ"), ("Nimol", "និមល"),
)  # fmt: skip

MALE_GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("Dara", "តារា"), ("Vuthy", "វុទ្ធី"), ("Rithy", "ឫទ្ធី"), ("Sokun", "សុគុណ"),
    ("Piseth", "ពិសិដ្ឋ"), ("Visal", "វិសាល"), ("Sovann", "សុវណ្ណ"), ("Chanra", "ចាន់រ៉ា"),
    ("Kosal", "កុសល"), ("Makara", "មករា"), ("Panha", "បញ្ញា"), ("Rotha", "រដ្ឋា"),
    ("Samnang", "សំណាង"), ("Vibol", "វិបុល"), ("Veasna", "វាសនា"), ("Sambath", "សម្បត្តិ"),
    ("Bunthoeun", "ប៊ុនធឿន"), ("Sophal", "សុផល"), ("Kimhong", "គីមហុង"), ("Sokheng", "សុខហេង"),
    ("Virak", "វីរៈ"), ("Vichet", "វិចិត្រ"), ("Ratha", "រដ្ឋា"), ("Bunna", "ប៊ុនណា"),
)  # fmt: skip

# Other romanisations of the same Khmer name, as different officials write them.
LATIN_VARIANTS: dict[str, tuple[str, ...]] = {
    "Sreymom": ("Srey Mom", "Sreymum"), "Sreyneang": ("Srey Neang",), "Sreypov": ("Srey Pov",),
    "Chanthy": ("Chanthi", "Chanty"), "Sophea": ("Sophia",), "Leakhena": ("Leakena",),
    "Channary": ("Chanary",), "Vuthy": ("Vuthi", "Vutthy"), "Rithy": ("Rithi",),
    "Piseth": ("Piset",), "Sovann": ("Sovan",), "Chanra": ("Chan Ra",),
    "Sokheng": ("Sok Heng",), "Kimhong": ("Kim Hong",),
    "Bunthoeun": ("Bunthoeurn", "Bun Thoeun"), "Sokha": ("Sokhar",), "Chea": ("Chear",),
    "Touch": ("Toch",), "Nget": ("Nguet",), "Chhun": ("Chun",), "Meas": ("Meah",),
    "Pich": ("Pech",), "Yim": ("Yem",), "Vann": ("Van",),
}  # fmt: skip

# Parts of place names, in the same pairs. A name is a head and a tail: "Prek Thmei".
PLACE_HEADS: tuple[tuple[str, str], ...] = (
    ("Prek", "ព្រែក"), ("Kampong", "កំពង់"), ("Boeng", "បឹង"), ("Phnum", "ភ្នំ"),
    ("Tuol", "ទួល"), ("Chrey", "ជ្រៃ"), ("Svay", "ស្វាយ"), ("Trapeang", "ត្រពាំង"),
    ("Ou", "អូរ"), ("Stueng", "ស្ទឹង"), ("Srae", "ស្រែ"), ("Chamkar", "ចំការ"),
    ("Veal", "វាល"), ("Kouk", "គោក"), ("Thma", "ថ្ម"), ("Ampil", "អំពិល"),
    ("Krang", "ក្រាំង"), ("Voat", "វត្ត"), ("Ta", "តា"), ("Kbal", "ក្បាល"),
    ("Samraong", "សំរោង"), ("Trach", "ត្រាច"), ("Snuol", "ស្នួល"), ("Roluos", "រលួស"),
    ("Chek", "ចេក"),
)  # fmt: skip
PLACE_TAILS: tuple[tuple[str, str], ...] = (
    ("Thmei", "ថ្មី"), ("Chas", "ចាស់"), ("Leu", "លើ"), ("Kraom", "ក្រោម"),
    ("Kandal", "កណ្ដាល"), ("Khpos", "ខ្ពស់"), ("Meanchey", "មានជ័យ"), ("Thum", "ធំ"),
    ("Touch", "តូច"), ("Lech", "លិច"), ("Kaeut", "កើត"), ("Sangkae", "សង្កែ"),
    ("Prasat", "ប្រាសាទ"), ("Ampil", "អំពិល"), ("Chrey", "ជ្រៃ"), ("Svay", "ស្វាយ"),
    ("Thnoat", "ត្នោត"), ("Kdol", "ក្ដុល"), ("Sla", "ស្លា"), ("Pring", "ព្រីង"),
)  # fmt: skip
