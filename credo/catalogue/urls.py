from django.urls import path

from credo.catalogue import views

app_name = "catalogue"

_Q = "qualifications/<slug:slug>/v<int:version>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("progression/", views.progression, name="progression"),
    path("qualifications/<slug:slug>/", views.qualification_latest, name="qualification_latest"),
    path(_Q, views.qualification_detail, name="qualification"),
    path(_Q + "edit/", views.qualification_edit, name="qualification_edit"),
    path(_Q + "publish/", views.qualification_publish, name="qualification_publish"),
    path(_Q + "withdraw/", views.qualification_withdraw, name="qualification_withdraw"),
    path(_Q + "new-version/", views.qualification_new_version, name="qualification_new_version"),
    path(_Q + "competencies/", views.competencies_edit, name="competencies_edit"),
    path(_Q + "rules/", views.rule_group_add, name="rule_group_add"),
    path(_Q + "rules/<int:group_id>/remove/", views.rule_group_remove, name="rule_group_remove"),
    path(_Q + "rules/<int:group_id>/units/", views.group_unit_add, name="group_unit_add"),
    path(
        _Q + "rules/<int:group_id>/units/<slug:unit_slug>/remove/",
        views.group_unit_remove,
        name="group_unit_remove",
    ),
    path(_Q + "template/", views.template_edit, name="template_edit"),
    path(_Q + "template/introduction/", views.template_introduction, name="template_introduction"),
    path(_Q + "template/sections/", views.template_section_add, name="template_section_add"),
    path(_Q + "template/sections/<int:section_id>/", views.template_section_update, name="template_section_update"),
    path(_Q + "template/sections/<int:section_id>/move/", views.template_section_move, name="template_section_move"),
    path(
        _Q + "template/sections/<int:section_id>/remove/",
        views.template_section_remove,
        name="template_section_remove",
    ),
    path(
        _Q + "template/sections/<int:section_id>/evidence/",
        views.template_requirement_add,
        name="template_requirement_add",
    ),
    path(
        _Q + "template/sections/<int:section_id>/evidence/<int:requirement_id>/remove/",
        views.template_requirement_remove,
        name="template_requirement_remove",
    ),
    path("new/<slug:owner>/", views.qualification_create, name="qualification_create"),
    path("units/new/<slug:owner>/", views.unit_create, name="unit_create"),
    path("units/<slug:slug>/", views.unit_detail, name="unit"),
    path("units/<slug:slug>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<slug:slug>/outcomes/", views.unit_outcomes_edit, name="unit_outcomes_edit"),
]
