from django.urls import URLPattern, path

from documents.web import case_tab
from referrals.web import custody_tab

# The documents pages' forms and files, under the case's address (the tab is the case file's),
# and the custody tab's form (referrals.web.custody_tab), whose orders are documents.
case_urlpatterns: list[URLPattern] = [
    path("<int:pk>/documents/add/", case_tab.document_add, name="case-document-add"),
    path(
        "<int:pk>/documents/<int:document_id>/file/",
        case_tab.document_file,
        name="case-document-file",
    ),
    path(
        "<int:pk>/documents/<int:document_id>/withdraw/",
        case_tab.document_withdraw,
        name="case-document-withdraw-page",
    ),
    path("<int:pk>/custody/add/", custody_tab.custody_add, name="case-custody-add"),
]
