from django.urls import path

from tenders.consultation import api as consultations

urlpatterns = [
    path(
        "consultations/", consultations.ConsultationListView.as_view(), name="api-consultation-list"
    ),
    path(
        "consultations/<int:pk>/",
        consultations.ConsultationDetailView.as_view(),
        name="api-consultation-detail",
    ),
    path(
        "consultations/<int:pk>/responses/",
        consultations.ConsultationResponsesView.as_view(),
        name="api-consultation-responses",
    ),
    path(
        "consultations/<int:pk>/clarifications/",
        consultations.ConsultationClarificationsView.as_view(),
        name="api-consultation-clarifications",
    ),
    path(
        "clarifications/<int:pk>/answer/",
        consultations.ClarificationAnswerView.as_view(),
        name="api-clarification-answer",
    ),
    path(
        "responses/<int:pk>/",
        consultations.ResponseDetailView.as_view(),
        name="api-response-detail",
    ),
    path(
        "responses/<int:pk>/submit/",
        consultations.ResponseSubmitView.as_view(),
        name="api-response-submit",
    ),
    path(
        "responses/<int:pk>/withdraw/",
        consultations.ResponseWithdrawView.as_view(),
        name="api-response-withdraw",
    ),
    path(
        "responses/<int:pk>/attachments/",
        consultations.ResponseAttachmentsView.as_view(),
        name="api-response-attachments",
    ),
    path("attachments/<int:pk>/", consultations.AttachmentView.as_view(), name="api-attachment"),
]
