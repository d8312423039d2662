from django.urls import path

from tenders.award import views

urlpatterns = [
    path("<int:pk>/tender/", views.tender_overview, name="tender-overview"),
    path("<int:pk>/bid/", views.bid_edit, name="tender-bid"),
    path("<int:pk>/evaluation/", views.evaluation, name="tender-evaluation"),
    path("<int:pk>/evaluation/act/", views.evaluation_act, name="tender-evaluation-act"),
    path("bids/mine/", views.my_bids, name="my-bids"),
    path("bids/<int:pk>/files/", views.bid_file_upload, name="bid-files"),
    path("bid-files/<int:pk>/", views.bid_file_download, name="bid-file"),
    path("bid-files/<int:pk>/delete/", views.bid_file_delete, name="bid-file-delete"),
    path("bids/<int:pk>/confirm/", views.bid_confirm, name="bid-confirm"),
    path("bids/<int:pk>/receipt/", views.bid_receipt, name="bid-receipt"),
]
