"""Open data API, mounted under ``/api/v1/``."""

from django.urls import path

from publication.eforms import api as eforms_api
from publication.ocds import api
from publication.portal import api as portal_api

urlpatterns = [
    path("ocds/releases/", api.ReleasePackageView.as_view(), name="api-ocds-releases"),
    path("ocds/records/<str:ocid>/", api.RecordPackageView.as_view(), name="api-ocds-record"),
    path("tenders/<int:pk>/notices/", eforms_api.NoticesView.as_view(), name="api-tender-notices"),
    path(
        "tenders/<int:pk>/notices/<uuid:notice_id>/xml/",
        eforms_api.NoticeXmlView.as_view(),
        name="api-tender-notice-xml",
    ),
    path("indicators/", portal_api.IndicatorsView.as_view(), name="api-indicators"),
]
