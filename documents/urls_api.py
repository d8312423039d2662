from django.urls import path

from documents import api, api_signatures

urlpatterns = [
    path("templates/", api.TemplateListView.as_view(), name="api-template-list"),
    path("templates/<int:pk>/", api.TemplateDetailView.as_view(), name="api-template-detail"),
    path(
        "templates/<int:pk>/preview/",
        api.TemplatePreviewView.as_view(),
        name="api-template-preview",
    ),
    path(
        "templates/<int:pk>/versions/",
        api.TemplateVersionsView.as_view(),
        name="api-template-versions",
    ),
    path(
        "templates/<int:pk>/versions/<int:number>/<slug:action>/",
        api.TemplateVersionActionView.as_view(),
        name="api-template-version-action",
    ),
    path("templates/<int:pk>/share/", api.TemplateShareView.as_view(), name="api-template-share"),
    path("templates/<int:pk>/adopt/", api.TemplateAdoptView.as_view(), name="api-template-adopt"),
    path("templates/<int:pk>/merge/", api.TemplateMergeView.as_view(), name="api-template-merge"),
    path(
        "tenders/<int:pk>/documents/",
        api.ProcessDocumentsView.as_view(),
        name="api-tender-documents",
    ),
    path("documents/<int:pk>/", api.DocumentDetailView.as_view(), name="api-document-detail"),
    path("documents/<int:pk>/pdf/", api.DocumentPdfView.as_view(), name="api-document-pdf"),
    path("tenders/<int:pk>/pliegos/", api.PliegosView.as_view(), name="api-tender-pliegos"),
    path(
        "tenders/<int:pk>/pliegos/<int:pliego_pk>/approve/",
        api.PliegoApproveView.as_view(),
        name="api-tender-pliego-approve",
    ),
    path(
        "tenders/<int:pk>/pliegos/<int:pliego_pk>/amend/",
        api.PliegoAmendView.as_view(),
        name="api-tender-pliego-amend",
    ),
    path(
        "tenders/<int:pk>/pliegos/<int:pliego_pk>/file/",
        api.PliegoFileView.as_view(),
        name="api-tender-pliego-file",
    ),
    path(
        "documents/<int:pk>/signatures/",
        api_signatures.DocumentSignaturesView.as_view(),
        name="api-document-signatures",
    ),
]
