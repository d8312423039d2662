from django.urls import path

from workflows import api

urlpatterns = [
    path("calendar/deadline/", api.DeadlineView.as_view(), name="api-calendar-deadline"),
]
