from django.urls import path

from tenders.award import views

urlpatterns = [
    path("<int:pk>/tender/", views.tender_overview, name="tender-overview"),
    path("<int:pk>/bid/", views.bid_edit, name="tender-bid"),
    path("<int:pk>/evaluation/", views.evaluation, name="tender-evaluation"),
    path("<int:pk>/evaluation/act/", views.evaluation_act, name="tender-evaluation-act"),
    path("bids/mine/", views.my_bids, name="my-bids"),
]
