"""Catalogue pages: browse, search, read, check progression, and (for owners' programme admins) edit drafts.

Every object is loaded through `access.py`; every change is a call to `services`.
"""

from credo.catalogue.views.browse import (
    index,
    progression,
    qualification_detail,
    qualification_latest,
    unit_detail,
)
from credo.catalogue.views.editing import (
    competencies_edit,
    group_unit_add,
    group_unit_remove,
    qualification_create,
    qualification_edit,
    qualification_new_version,
    qualification_publish,
    qualification_withdraw,
    rule_group_add,
    rule_group_remove,
    unit_create,
    unit_edit,
    unit_outcomes_edit,
)
from credo.catalogue.views.portfolio_templates import (
    template_edit,
    template_introduction,
    template_requirement_add,
    template_requirement_remove,
    template_section_add,
    template_section_move,
    template_section_remove,
    template_section_update,
)

__all__ = [
    "competencies_edit",
    "group_unit_add",
    "group_unit_remove",
    "index",
    "progression",
    "qualification_create",
    "qualification_detail",
    "qualification_edit",
    "qualification_latest",
    "qualification_new_version",
    "qualification_publish",
    "qualification_withdraw",
    "rule_group_add",
    "rule_group_remove",
    "template_edit",
    "template_introduction",
    "template_requirement_add",
    "template_requirement_remove",
    "template_section_add",
    "template_section_move",
    "template_section_remove",
    "template_section_update",
    "unit_create",
    "unit_detail",
    "unit_edit",
    "unit_outcomes_edit",
]
