from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView

from accounts.web import account, login, logout, password
from cpims import api_docs, health, i18n, views
from documents.web.urls import case_urlpatterns as documents_case_urls
from legal.web.urls import case_urlpatterns as legal_case_urls
from reintegration.web.urls import case_urlpatterns as reintegration_case_urls
from trafficking.web.urls import case_urlpatterns as trafficking_case_urls

api_v1: list[URLPattern | URLResolver] = [
    path("", include("accounts.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("referrals.api.urls")),
    path("", include("reintegration.api.urls")),
    path("", include("trafficking.api.urls")),
    path("", include("legal.api.urls")),
    path("", include("documents.api.urls")),
    path("", include("intake.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("reporting.api.urls")),
    path("", include("exports.api.urls")),
    path("", include("imports.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_docs.ApiDocsView.as_view(url_name="schema"), name="api-docs"),
]

# Under /api/, an address that names no endpoint answers JSON, as the API's own 404s do, and so
# does a failure; elsewhere the site's own pages (404.html, 500.html) answer.
handler404 = "core.api.exceptions.not_found"
handler500 = "core.api.exceptions.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", login.TwoFactorLoginView.as_view(), name="login"),
    path("accounts/two-factor/", login.two_factor_page, name="two-factor"),
    path("accounts/", account.account_page, name="account"),
    path("accounts/sessions/<int:session_id>/end/", account.session_end_page, name="session-end"),
    path(
        "accounts/sessions/end-others/",
        account.sessions_end_others_page,
        name="sessions-end-others",
    ),
    path("accounts/tokens/<int:token_id>/revoke/", account.token_revoke_page, name="token-revoke"),
    path("accounts/password/", password.password_change_page, name="password-change"),
    path("accounts/password/reset/", password.password_reset_page, name="password-reset"),
    path(
        "accounts/password/reset/sent/",
        password.password_reset_done_page,
        name="password-reset-done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        password.PasswordResetConfirm.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password/reset/done/",
        password.PasswordResetComplete.as_view(),
        name="password-reset-complete",
    ),
    path("accounts/logout/", logout.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", i18n.set_language, name="set_language"),
    path("cases/", include("cases.web.urls")),
    path("cases/", include(reintegration_case_urls)),
    path("cases/", include(trafficking_case_urls)),
    path("cases/", include(legal_case_urls)),
    path("cases/", include(documents_case_urls)),
    path("referrals/", include("referrals.web.urls")),
    path("concerns/", include("intake.web.urls")),
    path("calls/", include("intake.web.call_urls")),
    path("follow-ups/", include("reintegration.web.urls")),
    path("notifications/", include("notifications.urls")),
    path("statistics/", include("reporting.web.urls")),
    path("exports/", include("exports.web.urls")),
    path("imports/", include("imports.web.urls")),
    path("manage/", include("accounts.web.manage_urls")),
    path("manage/webhooks/", include("accounts.web.webhook_urls")),
    path("api/v1/", include(api_v1)),
    path("admin/login/", login.admin_login),
    path("admin/", admin.site.urls),
]
