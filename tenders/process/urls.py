from django.urls import path

from tenders.process import views

urlpatterns = [
    path("new/", views.tender_new, name="tender-new"),
    path("<int:pk>/", views.tender_detail, name="tender-detail"),
    path("<int:pk>/edit/", views.tender_edit, name="tender-edit"),
    path("<int:pk>/transitions/<slug:name>/", views.tender_fire, name="tender-fire"),
    path("<int:pk>/notifications/", views.tender_notifications, name="tender-notifications"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_detail, name="inbox-detail"),
    path("inbox/messages/read/", views.inapp_message_read, name="inapp-messages-read"),
    path("inbox/messages/<int:pk>/read/", views.inapp_message_read, name="inapp-message-read"),
]
