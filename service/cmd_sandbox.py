"""`outcomes sandbox`: the built-in Jira and Confluence emulator, served alone to try settings."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from connector.sandbox import DatasetError, Sandbox, load_dataset
from connector.sandbox.dataset import parse_dataset
from service.terminal import echo


def example_dataset() -> str:
    """The commented example dataset that ships with the sandbox."""
    return resources.files("connector.sandbox").joinpath("example.yaml").read_text("utf-8")


def banner(url: str, data: dict[str, object]) -> list[str]:
    """What a person needs to point settings at the sandbox: where, which kind, who signs in."""
    parsed = parse_dataset(data)
    kind = "Jira Cloud" if parsed.deployment == "Cloud" else "Jira Data Center"
    lines = [f"Sandbox: {kind} at {url}, Confluence at {url}/wiki (Ctrl-C stops it)"]
    for credential in parsed.credentials:
        auth = (
            f"{{email: {credential.user}, token: {credential.token}}}"
            if parsed.deployment == "Cloud"
            else f"{{token: {credential.token}}}"
        )
        lines.append(f"  sign in as {credential.user}: auth: {auth}")
    return lines


@click.command()
@click.option(
    "--data",
    "data_path",
    type=click.Path(path_type=Path),
    help="Dataset file (YAML or JSON); see --example for its format.",
)
@click.option("--port", default=0, show_default=True, help="0 picks a free port.")
@click.option("--example", is_flag=True, help="Print a commented example dataset and exit.")
def sandbox(data_path: Path | None, port: int, example: bool) -> None:
    """Serve the Jira/Confluence sandbox on 127.0.0.1, seeded from a dataset file.

    The sandbox's credentials are test data, printed so settings can use them.
    """
    if example:
        click.echo(example_dataset(), nl=False)
        return
    if data_path is None:
        raise click.UsageError("--data FILE is required (outcomes sandbox --example shows one)")
    try:
        data = load_dataset(data_path)
    except DatasetError as exc:
        raise click.UsageError(str(exc)) from None
    server = Sandbox(data, port=port)
    url = server.start()
    for line in banner(url, data):
        echo(line)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
