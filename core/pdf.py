"""Pages rendered as PDF with WeasyPrint, in the project's own fonts (the vendored Noto Sans
Khmer, which also carries the Latin letters), so a Khmer summary prints the same on every
server.

The renderer reads nothing but the project's own print stylesheet and fonts: the HTML holds
what people typed (escaped, but still theirs), and a document that could make the server fetch
an address would let a name in a case probe the network, or read a file, on its behalf."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The print stylesheet, found like any static file; its @font-face rules name the fonts
# beside it by relative address.
PRINT_STYLESHEET = "cpims/summary-pdf.css"
FONTS = "vendor/fonts"


def _static_dir(name: str) -> Path:
    found = finders.find(name)
    if not found:
        # A broken install, not a request's fault: say what is missing.
        raise FileNotFoundError(f"The static file {name} is missing.")
    return Path(str(found)).resolve()


class OwnFilesOnly(URLFetcher):
    """Serves the print stylesheet and the vendored fonts, and refuses every other address:
    no network, no other file."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self._allowed = allowed

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith("file://"):
            raise ValueError("Only the project's own print files are read.")
        path = Path(url.removeprefix("file://").split("?")[0]).resolve()
        if not any(path == place or place in path.parents for place in self._allowed):
            raise ValueError("Only the project's own print files are read.")
        return URLFetcherResponse(url, path.read_bytes())


def html_to_pdf(html: str) -> bytes:
    """The PDF of a page of HTML, laid out with the print stylesheet."""
    stylesheet = _static_dir(PRINT_STYLESHEET)
    fonts = _static_dir(FONTS)
    fetcher = OwnFilesOnly([stylesheet, fonts])
    document = HTML(string=html, base_url=str(fonts), url_fetcher=fetcher)
    # The stylesheet's @font-face rules load only through a font configuration given to both.
    fonts_used = FontConfiguration()
    layout = CSS(filename=str(stylesheet), url_fetcher=fetcher, font_config=fonts_used)
    pdf: bytes = document.write_pdf(stylesheets=[layout], font_config=fonts_used)
    return pdf
