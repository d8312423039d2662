from django.urls import path

from workflows import views

urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("calendar/deadline/", views.deadline_calculator, name="deadline-calculator"),
    # Before the admin site's own routes, which would take the path otherwise.
    path("admin/status/", views.status_page, name="background-status"),
]
