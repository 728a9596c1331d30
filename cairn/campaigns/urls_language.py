"""URLs: campaigns, language (see cairn/campaigns/urls.py).

- language/check/: check any text (anyone signed in);
- language/terms/...: the person-first term list, its versions, administrators' edits;
- materials/<id>/language/check/ and language/findings/<id>/decide/: the review panel's
  actions on a material (the organization that runs the campaign).
"""

from django.urls import path

from cairn.campaigns.views import language as views

urlpatterns: list = [
    path("language/check/", views.language_check, name="language_check"),
    path("language/terms/", views.term_list, name="term_list"),
    path("language/terms/new/", views.term_new, name="term_new"),
    path("language/terms/v<int:version>/", views.term_version, name="term_version"),
    path("language/terms/<slug:key>/edit/", views.term_edit, name="term_edit"),
    path("language/terms/<slug:key>/remove/", views.term_remove, name="term_remove"),
    path(
        "materials/<int:material_id>/language/check/",
        views.language_review,
        name="language_review",
    ),
    path(
        "language/findings/<int:finding_id>/decide/",
        views.language_decide,
        name="language_decide",
    ),
]
