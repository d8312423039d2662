from django.urls import path

from tenders.award import api as award

urlpatterns = [
    path("tenders/<int:pk>/lots/", award.LotsView.as_view(), name="api-tender-lots"),
    path("tenders/<int:pk>/criteria/", award.CriteriaView.as_view(), name="api-tender-criteria"),
    path("lots/<int:pk>/", award.LotDetailView.as_view(), name="api-lot-detail"),
    path("criteria/<int:pk>/", award.CriterionDetailView.as_view(), name="api-criterion-detail"),
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
    path("bids/<int:pk>/files/", award.BidFilesView.as_view(), name="api-bid-files"),
    path("bid-files/<int:pk>/", award.BidFileView.as_view(), name="api-bid-file"),
    path("bids/<int:pk>/deuc/", award.BidDeucView.as_view(), name="api-bid-deuc"),
    path("bids/<int:pk>/summary/", award.BidSummaryView.as_view(), name="api-bid-summary"),
    path("bids/<int:pk>/receipt/", award.BidReceiptView.as_view(), name="api-bid-receipt"),
    path(
        "bids/<int:pk>/award-documents/",
        award.BidAwardDocumentsView.as_view(),
        name="api-bid-award-documents",
    ),
    path("bids/<int:pk>/withdraw/", award.BidWithdrawView.as_view(), name="api-bid-withdraw"),
    path("bids/<int:pk>/admission/", award.BidAdmissionView.as_view(), name="api-bid-admission"),
    path("bids/<int:pk>/abnormal/", award.BidAbnormalView.as_view(), name="api-bid-abnormal"),
]
