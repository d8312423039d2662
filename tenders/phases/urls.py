from django.urls import path

from tenders.phases import views

urlpatterns = [
    path("<int:pk>/phases/", views.tender_phases, name="tender-phases"),
    path("<int:pk>/phases/offer/", views.phase_offer_edit, name="phase-offer"),
    path("phase-offers/<int:pk>/", views.phase_offer_detail, name="phase-offer-detail"),
    path("phase-offers/<int:pk>/files/", views.phase_offer_file_upload, name="phase-offer-files"),
    path("phase-offers/<int:pk>/confirm/", views.phase_offer_confirm, name="phase-offer-confirm"),
    path("phase-contracts/<int:pk>/", views.phase_contract_detail, name="phase-contract"),
    path("deliverables/<int:pk>/", views.deliverable_download, name="phase-deliverable"),
]
