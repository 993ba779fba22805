"""Every `pitwall` subcommand, registered on the CLI group in pitwall.cli."""
from pitwall.commands.dashboard import dashboard_command
from pitwall.commands.demo import demo_command
from pitwall.commands.events import import_command, schema_command
from pitwall.commands.metrics import metrics_group

ALL_COMMANDS = [import_command, schema_command, metrics_group, dashboard_command, demo_command]
