from django.urls import path

from tenders.process import api

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
    path(
        "tenders/<int:pk>/notifications/",
        api.TenderNotificationsView.as_view(),
        name="api-tender-notifications",
    ),
    path("notifications/", api.NotificationListView.as_view(), name="api-notification-list"),
    path(
        "notifications/messages/",
        api.InAppMessageListView.as_view(),
        name="api-inapp-message-list",
    ),
    path(
        "notifications/messages/read/",
        api.InAppMessagesReadView.as_view(),
        name="api-inapp-messages-read",
    ),
    path(
        "notifications/messages/<int:pk>/read/",
        api.InAppMessageReadView.as_view(),
        name="api-inapp-message-read",
    ),
    path(
        "notifications/<int:pk>/",
        api.NotificationDetailView.as_view(),
        name="api-notification-detail",
    ),
]
