"""The API documentation page (Swagger UI, served from drf-spectacular's sidecar package)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file of its own (the split view) and
    the inline style of the page moved to a static file: nothing inline, so the page needs no
    exception to the site's Content-Security-Policy."""

    template_name = "api/swagger_ui.html"
