"""Open data API, mounted under ``/api/v1/``."""

from django.urls import path

from publication.ocds import api
from publication.portal import api as portal_api

urlpatterns = [
    path("ocds/releases/", api.ReleasePackageView.as_view(), name="api-ocds-releases"),
    path("ocds/records/<str:ocid>/", api.RecordPackageView.as_view(), name="api-ocds-record"),
    path("indicators/", portal_api.IndicatorsView.as_view(), name="api-indicators"),
]
