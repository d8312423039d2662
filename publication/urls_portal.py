"""The public portal, mounted at ``/portal/``."""

from django.urls import path

from publication.portal import views
from publication.portal.feeds import CityFeed, PublicationsFeed

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("cities/<slug:slug>/", views.city, name="city"),
    path("cities/<slug:slug>/feed/", CityFeed(), name="city-feed"),
    path("processes/<int:pk>/", views.process, name="process"),
    path("consultations/<int:pk>/report/", views.consultation_report, name="consultation-report"),
    path("feed/", PublicationsFeed(), name="feed"),
    path("indicators/", views.indicators, name="indicators"),
]
