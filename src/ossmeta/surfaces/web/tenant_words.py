"""Words of the workspace the store keeps as identifiers (VEX states, justifications,
roles, token scopes): marked for the catalog here, translated where the pages show them."""

from __future__ import annotations

from ossmeta.surfaces.web.i18n import N_

__all__ = ["JUSTIFICATION", "ROLE", "SCOPE", "VEX"]

VEX = {
    "in_triage": N_("in triage"),
    "exploitable": N_("exploitable"),
    "not_affected": N_("not affected"),
    "false_positive": N_("false positive"),
    "resolved": N_("resolved"),
}
#: CycloneDX's justifications first, then OpenVEX's.
JUSTIFICATION = {
    "code_not_present": N_("the code is not present"),
    "code_not_reachable": N_("the code is not reachable"),
    "requires_configuration": N_("requires a configuration not used"),
    "requires_dependency": N_("requires a dependency not used"),
    "requires_environment": N_("requires an environment not used"),
    "protected_by_compiler": N_("protected by the compiler"),
    "protected_at_runtime": N_("protected at run time"),
    "protected_at_perimeter": N_("protected at the perimeter"),
    "protected_by_mitigating_control": N_("protected by a mitigating control"),
    "component_not_present": N_("the component is not present"),
    "vulnerable_code_not_present": N_("the vulnerable code is not present"),
    "vulnerable_code_not_in_execute_path": N_("the vulnerable code is not in the execution path"),
    "vulnerable_code_cannot_be_controlled_by_adversary": N_(
        "the vulnerable code cannot be controlled by an adversary"
    ),
    "inline_mitigations_already_exist": N_("inline mitigations exist already"),
}
ROLE = {
    "admin": N_("administrator"),
    "curator": N_("curator"),
    "member": N_("member"),
    "viewer": N_("viewer"),
}
SCOPE = {"read": N_("read"), "write": N_("write"), "admin": N_("administer")}
