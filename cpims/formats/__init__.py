"""How each language shows and reads dates and numbers (settings.FORMAT_MODULE_PATH): one style
per language, the same on every page. Templates name a format (``|date`` for DATE_FORMAT,
``|date:"DATETIME_FORMAT"``), never spell one; what these modules leave out is Django's."""
