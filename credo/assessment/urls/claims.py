"""Assessment pages: claims for certification, external quality assurance and certification (SEG)."""

from django.urls import URLPattern, path

from credo.assessment.views import claims

urlpatterns: list[URLPattern] = [
    path("centres/<slug:slug>/claims/", claims.centre_claims, name="centre_claims"),
    path("centres/<slug:slug>/claims/<slug:body_slug>/new/", claims.build_claim, name="build_claim"),
    path("claims/<int:claim_id>/", claims.claim_page, name="claim"),
    path("claims/<int:claim_id>/learners/", claims.add_learners, name="claim_add"),
    path("claims/<int:claim_id>/learners/<int:learner_id>/remove/", claims.remove_learner, name="claim_remove"),
    path("claims/<int:claim_id>/submit/", claims.submit_claim, name="claim_submit"),
    path("claims/<int:claim_id>/review/", claims.review_claim, name="claim_review"),
    path(
        "claims/<int:claim_id>/portfolios/<int:assessment_id>/", claims.sampled_portfolio, name="claim_portfolio"
    ),
    path("claims/<int:claim_id>/approve/", claims.approve_claim, name="claim_approve"),
    path("claims/<int:claim_id>/claim.csv", claims.claim_csv, name="claim_csv"),
    path("claims/<int:claim_id>/claim.pdf", claims.claim_pdf, name="claim_pdf"),
    path("awarding/<slug:slug>/claims/", claims.awarding_claims, name="awarding_claims"),
]
