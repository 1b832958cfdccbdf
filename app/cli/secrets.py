"""`wagraph secrets`: the key that seals secrets stored in automations, and its rotation.

A rotation: `wagraph secrets keygen` makes a key; set it as WAGRAPH_SECRETS_KEY, move the old
one to WAGRAPH_SECRETS_PREVIOUS_KEYS and restart every process; `wagraph secrets rotate`
re-seals what is stored; once `wagraph secrets status` counts nothing on a previous key, drop
the old key.
"""

from __future__ import annotations

import asyncio

import typer

from app.cli.common import console, with_db
from app.settings import get_settings

group = typer.Typer(
    help="The key sealing secrets stored in automations (webhook secrets and headers).",
    no_args_is_help=True,
)


@group.command("keygen")
def keygen() -> None:
    """Print a new random key for WAGRAPH_SECRETS_KEY (alone on stdout)."""
    from whatsapp.kit.secrets import generate_key

    console.print("a new key for WAGRAPH_SECRETS_KEY (keep the old one in _PREVIOUS_KEYS):")
    print(generate_key())


@group.command("status")
def status() -> None:
    """Count stored secrets by how they are sealed: current key, previous key, plaintext,
    unreadable (no configured key opens them). Exits 1 if any is unreadable."""
    from whatsapp.automations.stored_secrets import secrets_status
    from whatsapp.kit.secrets import SealState, use_box

    settings = get_settings()
    use_box(settings.secret_box())
    counts = asyncio.run(with_db(settings, secrets_status))
    for state in SealState:
        console.print(f"{state.value}: {counts.get(state, 0)}")
    if counts.get(SealState.UNREADABLE):
        raise typer.Exit(1)


@group.command("rotate")
def rotate() -> None:
    """Re-seal every stored secret with WAGRAPH_SECRETS_KEY (plaintext from older versions
    included); a secret no configured key opens is left as it is, and the exit code is 1."""
    from whatsapp.automations.stored_secrets import rotate_secrets
    from whatsapp.kit.secrets import use_box

    settings = get_settings()
    use_box(settings.secret_box())
    done = asyncio.run(with_db(settings, rotate_secrets))
    console.print(
        f"re-sealed the secrets of {done.resealed} of {done.automations} automation(s) "
        "with the current key"
    )
    if done.unreadable:
        ids = ", ".join(str(automation_id) for automation_id in done.unreadable)
        console.print(
            f"[red]{len(done.unreadable)} automation(s) hold a secret no configured key opens "
            f"(add the key that sealed it to WAGRAPH_SECRETS_PREVIOUS_KEYS, or give the secret "
            f"again): {ids}[/]"
        )
        raise typer.Exit(1)
