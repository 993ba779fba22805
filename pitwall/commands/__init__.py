"""Every `pitwall` subcommand, as name -> "module:attribute"; pitwall.cli imports a command's
module only when that command runs (pitwall.lazy)."""

COMMANDS = {
    "catalog": "pitwall.commands.catalog:catalog_group",
    "config": "pitwall.commands.config:config_group",
    "dashboard": "pitwall.commands.dashboard:dashboard_command",
    "demo": "pitwall.commands.demo:demo_command",
    "export": "pitwall.commands.export:export_command",
    "import": "pitwall.commands.events:import_command",
    "metrics": "pitwall.commands.metrics:metrics_group",
    "rebuild": "pitwall.commands.sync:rebuild_command",
    "record": "pitwall.commands.record:record_group",
    "schema": "pitwall.commands.events:schema_command",
    "scorecards": "pitwall.commands.scorecards:scorecards_group",
    "sync": "pitwall.commands.sync:sync_group",
}

# Subcommands defined outside their group's module, attached when the group is loaded.
SUBCOMMANDS = {
    "sync": {
        "git": "pitwall.commands.sync_git:git_command",
        "gitlab": "pitwall.commands.sync_gitlab:gitlab_command",
        "pagerduty": "pitwall.commands.sync_pagerduty:pagerduty_command",
    },
}
