from django.urls import path

from tenders.appeals import api

urlpatterns = [
    path("tenders/<int:pk>/appeals/", api.TenderAppealsView.as_view(), name="api-tender-appeals"),
    path("appeals/", api.AppealListView.as_view(), name="api-appeal-list"),
    path("appeals/<int:pk>/", api.AppealDetailView.as_view(), name="api-appeal-detail"),
    path("appeals/<int:pk>/resolve/", api.AppealResolveView.as_view(), name="api-appeal-resolve"),
    path(
        "appeal-documents/<int:pk>/",
        api.AppealDocumentView.as_view(),
        name="api-appeal-document",
    ),
]
