"""`qlab serve`'s process: load what every page needs, then hand over to `streamlit run`.

Streamlit imports a page's modules and opens the workspace only when a session first runs
it, so without this the first people in a workshop wait for torch, the model, scikit-learn
and the index (10-15 s on 2 cores). Here they load before the server takes its first session.
Run as `python -m lab_app.ui.serve APP.py [streamlit run options]`.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import sys
import time
from pathlib import Path

UI = Path(__file__).resolve().parent


def page_modules(folder: Path = UI) -> list[str]:
    """Every absolute name the app and its pages import from, in a stable order: modules, and
    for `from package import name` also package.name, which may be a module (or not)."""
    names: set[str] = set()
    for script in [folder / "app.py", *sorted((folder / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted(names)


def _import(name: str) -> None:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        if "." not in name or importlib.util.find_spec(name.rsplit(".", 1)[0]) is None:
            raise  # a missing package, not a name imported from one that is no module


def warm_up() -> str:
    """Import the pages' modules, open the workspace, load the model; one line saying so."""
    start = time.perf_counter()
    # Streamlit notes each cache filled outside a page's run; here that is the point.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )
    try:
        for name in page_modules():
            _import(name)
        from lab_app.ui.resources import warm_up as load_resources

        load_resources()
    except Exception as err:  # e.g. the database is down: the pages will say so, one by one
        return f"warm-up stopped ({type(err).__name__}: {err}); pages load on first use"
    return f"model, workspace and pages loaded in {time.perf_counter() - start:.1f} s"


def main() -> None:
    print(warm_up(), flush=True)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
