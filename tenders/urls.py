from django.urls import path

from tenders import views, views_award, views_consultation

urlpatterns = [
    path("", views.dashboard, name="tender-dashboard"),
    path("new/", views.tender_new, name="tender-new"),
    path("<int:pk>/", views.tender_detail, name="tender-detail"),
    path("<int:pk>/edit/", views.tender_edit, name="tender-edit"),
    path("<int:pk>/consultation/", views.consultation_edit, name="tender-consultation"),
    path(
        "<int:pk>/consultation/questions/",
        views_consultation.questions_edit,
        name="tender-questions",
    ),
    path("<int:pk>/transitions/<slug:name>/", views.tender_fire, name="tender-fire"),
    path("<int:pk>/tender/", views_award.tender_overview, name="tender-overview"),
    path("<int:pk>/bid/", views_award.bid_edit, name="tender-bid"),
    path("<int:pk>/evaluation/", views_award.evaluation, name="tender-evaluation"),
    path("<int:pk>/evaluation/act/", views_award.evaluation_act, name="tender-evaluation-act"),
    path("bids/mine/", views_award.my_bids, name="my-bids"),
]
