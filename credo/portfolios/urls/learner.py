"""Portfolio pages: the learner's own portfolio, under /portfolios/my/<enrolment>/."""

from django.urls import URLPattern, path

from credo.portfolios.views import learner

urlpatterns: list[URLPattern] = [
    path("my/<int:enrolment_id>/", learner.portfolio_page, name="learner-portfolio"),
    path("my/<int:enrolment_id>/gaps/", learner.gaps_page, name="learner-gaps"),
    path("my/<int:enrolment_id>/sections/<int:position>/", learner.section_page, name="learner-section"),
    path("my/<int:enrolment_id>/sections/<int:position>/text/", learner.add_text, name="learner-add-text"),
    path("my/<int:enrolment_id>/sections/<int:position>/link/", learner.add_link, name="learner-add-link"),
    path("my/<int:enrolment_id>/sections/<int:position>/file/", learner.add_file, name="learner-add-file"),
    path("my/<int:enrolment_id>/items/<int:item_id>/", learner.item_page, name="learner-item"),
    path("my/<int:enrolment_id>/items/<int:item_id>/autosave/", learner.autosave, name="learner-autosave"),
    path("my/<int:enrolment_id>/items/<int:item_id>/versions/", learner.versions_page, name="learner-versions"),
    path(
        "my/<int:enrolment_id>/items/<int:item_id>/versions/<int:number>/",
        learner.version_page,
        name="learner-version",
    ),
    path("my/<int:enrolment_id>/items/<int:item_id>/sharing/", learner.sharing, name="learner-sharing"),
    path("my/<int:enrolment_id>/items/<int:item_id>/mapping/", learner.mapping_page, name="learner-mapping"),
    path("my/<int:enrolment_id>/items/<int:item_id>/remove/", learner.remove, name="learner-remove"),
    path("my/<int:enrolment_id>/items/<int:item_id>/download/", learner.download, name="learner-download"),
]
