"""The PagerDuty ingester: REST v2 incidents -> raw JSON store -> canonical incidents.

client    the shared HTTP client set up for PagerDuty
mapping   pure rules: an incident's JSON -> an Incident; which Pitwall service a PagerDuty service is
windows   date windows of at most 180 days, halved when one holds more than the offset limit
sync      the run: windows from the bookmark, open incidents re-read, services mapped
"""
from ingest.pagerduty.client import DEFAULT_API_URL, TOKEN_VARIABLE, make_client
from ingest.pagerduty.sync import PagerdutySettings, SyncSummary, TooManyIncidents, sync_pagerduty

__all__ = ["DEFAULT_API_URL", "TOKEN_VARIABLE", "PagerdutySettings", "SyncSummary", "TooManyIncidents", "make_client",
           "sync_pagerduty"]
