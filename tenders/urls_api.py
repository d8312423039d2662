from django.urls import path

from tenders import api

urlpatterns = [
    path("tenders/", api.TenderListView.as_view(), name="api-tender-list"),
    path("tenders/<int:pk>/", api.TenderDetailView.as_view(), name="api-tender-detail"),
    path(
        "tenders/<int:pk>/transitions/",
        api.TransitionListView.as_view(),
        name="api-tender-transitions",
    ),
    path(
        "tenders/<int:pk>/transitions/<slug:name>/",
        api.TransitionFireView.as_view(),
        name="api-tender-transition-fire",
    ),
    path("tenders/<int:pk>/history/", api.HistoryView.as_view(), name="api-tender-history"),
]

from tenders import api_consultation as consultations  # noqa: E402

urlpatterns += [
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

from tenders import api_award as award  # noqa: E402

urlpatterns += [
    path("tenders/<int:pk>/lots/", award.LotsView.as_view(), name="api-tender-lots"),
    path("tenders/<int:pk>/criteria/", award.CriteriaView.as_view(), name="api-tender-criteria"),
    path("tenders/<int:pk>/committee/", award.CommitteeView.as_view(), name="api-tender-committee"),
    path("tenders/<int:pk>/bids/", award.BidsView.as_view(), name="api-tender-bids"),
    path("tenders/<int:pk>/scores/", award.ScoresView.as_view(), name="api-tender-scores"),
    path("tenders/<int:pk>/ranking/", award.RankingView.as_view(), name="api-tender-ranking"),
    path("tenders/<int:pk>/awards/", award.AwardsView.as_view(), name="api-tender-awards"),
    path(
        "tenders/<int:pk>/questions/",
        award.TenderQuestionsView.as_view(),
        name="api-tender-questions",
    ),
    path(
        "tender-questions/<int:pk>/answer/",
        award.TenderQuestionAnswerView.as_view(),
        name="api-tender-question-answer",
    ),
    path("bids/<int:pk>/", award.BidDetailView.as_view(), name="api-bid-detail"),
    path(
        "bids/<int:pk>/envelopes/<str:envelope>/",
        award.BidEnvelopeView.as_view(),
        name="api-bid-envelope",
    ),
    path("bids/<int:pk>/submit/", award.BidSubmitView.as_view(), name="api-bid-submit"),
    path("bids/<int:pk>/withdraw/", award.BidWithdrawView.as_view(), name="api-bid-withdraw"),
    path("bids/<int:pk>/admission/", award.BidAdmissionView.as_view(), name="api-bid-admission"),
    path("bids/<int:pk>/abnormal/", award.BidAbnormalView.as_view(), name="api-bid-abnormal"),
]
