from django.urls import path

from tenders.phases import api

urlpatterns = [
    path("tenders/<int:pk>/phases/", api.PhasesView.as_view(), name="api-tender-phases"),
    path("phases/<int:pk>/", api.PhaseDetailView.as_view(), name="api-phase-detail"),
    path("phases/<int:pk>/criteria/", api.PhaseCriteriaView.as_view(), name="api-phase-criteria"),
    path(
        "phase-criteria/<int:pk>/",
        api.PhaseCriterionDetailView.as_view(),
        name="api-phase-criterion-detail",
    ),
    path(
        "tenders/<int:pk>/phase-offers/",
        api.PhaseOffersView.as_view(),
        name="api-tender-phase-offers",
    ),
    path("phase-offers/<int:pk>/", api.PhaseOfferDetailView.as_view(), name="api-phase-offer"),
    path(
        "phase-offers/<int:pk>/submit/",
        api.PhaseOfferSubmitView.as_view(),
        name="api-phase-offer-submit",
    ),
    path(
        "phase-offers/<int:pk>/withdraw/",
        api.PhaseOfferWithdrawView.as_view(),
        name="api-phase-offer-withdraw",
    ),
    path(
        "phase-offers/<int:pk>/files/",
        api.PhaseOfferFilesView.as_view(),
        name="api-phase-offer-files",
    ),
    path(
        "phase-offers/<int:pk>/scores/",
        api.PhaseOfferScoresView.as_view(),
        name="api-phase-offer-scores",
    ),
    path(
        "tenders/<int:pk>/phase-contracts/",
        api.PhaseContractsView.as_view(),
        name="api-tender-phase-contracts",
    ),
    path("phase-contracts/<int:pk>/", api.PhaseContractView.as_view(), name="api-phase-contract"),
    path(
        "phase-contracts/<int:pk>/deliverables/",
        api.DeliverablesView.as_view(),
        name="api-phase-contract-deliverables",
    ),
    path(
        "phase-contracts/<int:pk>/scores/",
        api.PhaseScoresView.as_view(),
        name="api-phase-contract-scores",
    ),
    path(
        "milestones/<int:pk>/accept/",
        api.MilestoneAcceptView.as_view(),
        name="api-milestone-accept",
    ),
    path("milestones/<int:pk>/pay/", api.MilestonePayView.as_view(), name="api-milestone-pay"),
]
