from django.urls import path

from documents import views, views_signatures

urlpatterns = [
    path("templates/", views.library, name="document-library"),
    path("templates/new/", views.template_new, name="document-template-new"),
    path("templates/<int:pk>/", views.template_detail, name="document-template-detail"),
    path("templates/<int:pk>/edit/", views.template_edit, name="document-template-edit"),
    path("templates/<int:pk>/preview/", views.template_preview, name="document-template-preview"),
    path(
        "templates/<int:pk>/versions/<int:number>/preview.pdf",
        views.template_preview_pdf,
        name="document-template-preview-pdf",
    ),
    path(
        "templates/<int:pk>/versions/<int:number>/<slug:action>/",
        views.version_action,
        name="document-version-action",
    ),
    path("templates/<int:pk>/share/", views.template_share, name="document-template-share"),
    path("templates/<int:pk>/adopt/", views.template_adopt, name="document-template-adopt"),
    path("templates/<int:pk>/merge/", views.template_merge, name="document-template-merge"),
    path("fields/", views.fields_reference, name="document-fields"),
    path("fields/<slug:kind>/", views.fields_reference, name="document-fields-kind"),
    path("review/", views.review_queue, name="document-review-queue"),
    path("process/<int:process_id>/", views.process_documents, name="document-process"),
    path("process/<int:process_id>/pliegos/", views.pliego_create, name="document-pliego-create"),
    path(
        "process/<int:process_id>/pliegos/<int:pk>/approve/",
        views.pliego_approve,
        name="document-pliego-approve",
    ),
    path(
        "process/<int:process_id>/pliegos/<int:pk>/amend/",
        views.pliego_amend,
        name="document-pliego-amend",
    ),
    path("<int:pk>/pdf/", views.document_pdf, name="document-pdf"),
    path("verify/", views.verify, name="document-verify"),
    path("<int:pk>/signatures/", views_signatures.signature_add, name="document-signature-add"),
    path("<int:pk>/signed.pdf", views_signatures.signed_pdf, name="document-signed-pdf"),
]
