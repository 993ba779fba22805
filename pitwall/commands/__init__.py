"""Every `pitwall` subcommand, registered on the CLI group in pitwall.cli."""
from pitwall.commands.catalog import catalog_group
from pitwall.commands.config import config_group
from pitwall.commands.dashboard import dashboard_command
from pitwall.commands.demo import demo_command
from pitwall.commands.events import import_command, schema_command
from pitwall.commands.export import export_command
from pitwall.commands.metrics import metrics_group
from pitwall.commands.record import record_group
from pitwall.commands.scorecards import scorecards_group
from pitwall.commands.sync import rebuild_command, sync_group
from pitwall.commands.sync_git import git_command
from pitwall.commands.sync_gitlab import gitlab_command
from pitwall.commands.sync_pagerduty import pagerduty_command

ALL_COMMANDS = [import_command, schema_command, metrics_group, dashboard_command, demo_command]
ALL_COMMANDS += [sync_group, rebuild_command]
ALL_COMMANDS += [record_group]
ALL_COMMANDS += [catalog_group, scorecards_group]

sync_group.add_command(git_command)
sync_group.add_command(gitlab_command)
sync_group.add_command(pagerduty_command)
ALL_COMMANDS += [config_group]
ALL_COMMANDS += [export_command]
