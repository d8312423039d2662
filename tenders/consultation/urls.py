from django.urls import path

from tenders.consultation import views as views

urlpatterns = [
    path("", views.consultation_list, name="consultation-list"),
    path("<int:pk>/", views.consultation_detail, name="consultation-detail"),
    path("<int:pk>/respond/", views.response_edit, name="consultation-respond"),
    path(
        "<int:pk>/clarifications/", views.clarification_new, name="consultation-clarification-new"
    ),
    path(
        "<int:pk>/clarifications/<int:clarification_id>/answer/",
        views.clarification_reply,
        name="consultation-clarification-answer",
    ),
    path("<int:pk>/responses/", views.responses_table, name="consultation-responses"),
    path(
        "<int:pk>/responses/<int:response_id>/",
        views.response_review,
        name="consultation-response-review",
    ),
    path("<int:pk>/summaries/", views.summaries_save, name="consultation-summaries"),
    path("<int:pk>/export.<str:fmt>", views.responses_export, name="consultation-export"),
    path("<int:pk>/report/", views.consultation_report, name="consultation-report"),
    path("mine/", views.my_responses, name="my-responses"),
    path("files/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("files/<int:pk>/delete/", views.attachment_delete, name="attachment-delete"),
    path("subscriptions/", views.supplier_subscriptions, name="supplier-subscriptions"),
]

# Mounted under /processes/ (the draft, the report and the questions are edited from the
# process's page).
process_urlpatterns = [
    path("<int:pk>/consultation/", views.consultation_edit, name="tender-consultation"),
    path(
        "<int:pk>/consultation/questions/",
        views.questions_edit,
        name="tender-questions",
    ),
]
