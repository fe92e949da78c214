"""Which claim fields a sync reads: the claim field, issue links and approval field that the
settings name, resolved against the site's fields before the epics are read."""

from __future__ import annotations

from connector.jira_claims import claim_reader
from connector.jira_source import JiraSource
from service.settings import LoadedSettings


def prepare_source(loaded: LoadedSettings, source: JiraSource) -> None:
    """Ask the Jira source for the claim field, issue links and approval field, if configured."""
    settings = loaded.settings
    claims, approval = settings.claims, settings.approval
    if claims.field is None and claims.links is None and approval.jira_field is None:
        return
    site = source.field_map
    source.claims = claim_reader(
        site,
        claim_field=claims.field.name if claims.field else None,
        link_type=claims.links.type if claims.links else None,
        approval_field=approval.jira_field,
    )
