from django.urls import path

from tenders.appeals import views

urlpatterns = [
    path("<int:pk>/appeals/", views.tender_appeals, name="tender-appeals"),
    path("appeals/<int:pk>/resolve/", views.appeal_resolve_view, name="appeal-resolve"),
    path("appeal-documents/<int:pk>/", views.appeal_document, name="appeal-document"),
]
