"""The quality gates `make test` runs before the suite, and proof that each one can fail.

`make test` runs ruff, ruff format, mypy and import-linter on the tree; these tests check that
their configuration really catches what it is meant to (a gate that cannot fail guards nothing),
and enforce the size limits the layout relies on: no module over 500 lines, no function over 60.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The server's own code (tests, benchmarks and migrations are not held to the size limits).
PACKAGES = (
    "app",
    "whatsapp",
    "schema",
    "resolvers",
    "webhooks",
    "dashboard",
    "jobs",
    "models",
    "sandbox",
)
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def oversized(paths: list[Path]) -> list[str]:
    """Every module over MAX_MODULE_LINES and function over MAX_FUNCTION_LINES, as findings."""
    found: list[str] = []
    for path in paths:
        source = path.read_text()
        lines = source.count("\n")
        if lines > MAX_MODULE_LINES:
            found.append(f"{path}: module of {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{path}:{node.lineno}: {node.name}() of {length} lines")
    return found


def _server_modules() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]


def _run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    return done.returncode, done.stdout + done.stderr


# -- size limits -------------------------------------------------------------------------------


def test_no_module_or_function_is_oversized() -> None:
    # when
    found = oversized(_server_modules())

    # then
    assert found == []


def test_the_size_check_finds_a_long_function_and_a_long_module(tmp_path: Path) -> None:
    # given
    long_function = tmp_path / "long_function.py"
    body = "".join(f"    x{i} = {i}\n" for i in range(60))
    long_function.write_text(f"def f() -> None:\n{body}")
    long_module = tmp_path / "long_module.py"
    long_module.write_text("".join(f"X{i} = {i}\n" for i in range(501)))

    # when
    found = oversized([long_function, long_module])

    # then
    assert found == [
        f"{long_function}:1: f() of 61 lines",
        f"{long_module}: module of 501 lines",
    ]


# -- the linters catch what they should --------------------------------------------------------


def test_ruff_refuses_an_unused_import(tmp_path: Path) -> None:
    # given
    probe = tmp_path / "probe.py"
    probe.write_text("import os\n")

    # when
    code, output = _run(
        str(BIN / "ruff"), "check", "--config", str(ROOT / "pyproject.toml"), str(probe)
    )

    # then
    assert code == 1
    assert "F401" in output


def test_ruff_format_refuses_unformatted_code(tmp_path: Path) -> None:
    # given
    probe = tmp_path / "probe.py"
    probe.write_text("x = {  'a':1 }\n")

    # when
    code, output = _run(
        str(BIN / "ruff"), "format", "--check", "--config", str(ROOT / "pyproject.toml"), str(probe)
    )

    # then
    assert code == 1
    assert "1 file would be reformatted" in output


def test_mypy_refuses_a_type_error(tmp_path: Path) -> None:
    # given
    probe = tmp_path / "probe.py"
    probe.write_text("def double(x: int) -> int:\n    return x * 2\n\n\ndouble('2')\n")

    # when
    code, output = _run(
        str(BIN / "mypy"),
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--no-incremental",
        str(probe),
        cwd=tmp_path,
    )

    # then
    assert code == 1
    assert "arg-type" in output


# -- the import contract -----------------------------------------------------------------------


def _copy_of_the_tree(tmp_path: Path) -> Path:
    """The packages and the contract, copied so a probe module never touches the real tree."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def _lint_imports(tree: Path) -> tuple[int, str]:
    # The copy comes first on the path, ahead of the editable install of the real tree.
    env = {**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "200"}
    return _run(str(BIN / "lint-imports"), "--no-cache", cwd=tree, env=env)


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        (
            "whatsapp/kit/probe.py",
            "import resolvers\n",
            "The core imports no face and no web framework",
        ),
        (
            "whatsapp/events/probe.py",
            "import whatsapp.automations\n",
            "Events know nothing of automations",
        ),
        (
            "sandbox/probe.py",
            "import whatsapp\n",
            "The sandbox imports nothing of ours",
        ),
        ("models/probe.py", "import whatsapp\n", "the core uses the models"),
        ("jobs/probe.py", "import app.server\n", "Jobs import no web server"),
        ("schema/probe.py", "import resolvers\n", "Schema types never import resolvers"),
    ],
)
def test_the_import_contract_refuses_an_import_against_the_layers(
    tmp_path: Path, module: str, source: str, contract: str
) -> None:
    # given
    tree = _copy_of_the_tree(tmp_path)
    (tree / module).write_text(source)

    # when
    code, output = _lint_imports(tree)

    # then
    assert code == 1
    assert any(contract in line and "BROKEN" in line for line in output.splitlines()), output


def test_the_import_contract_holds_on_a_clean_copy(tmp_path: Path) -> None:
    # when
    code, output = _lint_imports(_copy_of_the_tree(tmp_path))

    # then
    assert code == 0, textwrap.shorten(output, 2000)
