"""`qlab export` and `qlab import`: extracts to CSV; REFI-QDA, Excel and Pol.is both ways."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the workspace (Chroma, the model) loads only when a command runs
    from lab_app.workspace import Workspace

EXPORTS = ("extracts", "qdc", "qdpx", "xlsx", "polis")


def add_commands(commands) -> None:
    """Add `qlab export` and `qlab import` to the `qlab` parser."""
    export = commands.add_parser("export", help="write workspace contents to a file")
    export.add_argument("what", choices=EXPORTS)
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    export.set_defaults(handler=cmd_export)
    imports = commands.add_parser("import", help="take in work from other tools")
    imports.add_argument("what", choices=["polis", "qdc"])
    imports.add_argument("path", type=Path, help="Pol.is export folder, or a REFI-QDA .qdc file")
    imports.set_defaults(handler=cmd_import)


def cmd_export(workspace: Workspace, args) -> int:
    if args.what == "extracts":
        count = workspace.export_extracts(Path(args.out))
        print(f"wrote {count} extracts to {args.out}")
        return 0
    from lab_app import exchange  # REFI-QDA, Excel and Pol.is exports

    print(exchange.export(workspace, args.what, Path(args.out)))
    return 0


def cmd_import(workspace: Workspace, args) -> int:
    if args.what == "polis":
        from lab_app.exchange import polis

        print(polis.import_polis(workspace, Path(args.path)))
    else:
        from lab_app import exchange

        print(exchange.import_codebook(workspace, Path(args.path)))
    return 0
