"""The package map's import rules, checked on every module of bot/ (lazy imports included)."""

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.doubles.constants import PROJECT_ROOT

BOT = PROJECT_ROOT / "bot"
STDLIB = set(sys.stdlib_module_names)

# What each layer may import besides the standard library and its own package.
ALLOWED: dict[str, set[str]] = {
    "bot.core": {"pydantic"},
    "bot.claude": {"pydantic", "bot.core", "anthropic", "httpx2"},
    "bot.storage": {"pydantic", "bot.core", "psycopg", "psycopg_pool"},
    "bot.slack": {
        "pydantic",
        "bot.core",
        "bot.advisor",
        "bot.advisor_factory",
        "bot.settings",
        "bot.logging_setup",
        "bot.startup",
        "bot.storage",
        "slack_bolt",
        "slack_sdk",
        "flask",
        "markdown_it",
    },
}
# Only this module may import the anthropic SDK (and the HTTP client it brings).
MODEL_SDK = {"anthropic", "httpx2", "httpx"}
MODEL_CLIENT = "bot.claude.client"


def _modules() -> Iterator[tuple[str, Path]]:
    """Every module of bot/ with its dotted name."""
    for path in sorted(BOT.rglob("*.py")):
        parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _within(name: str, prefixes: set[str]) -> bool:
    """True when a dotted name is one of the prefixes or inside one."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _layer(module: str) -> str | None:
    """The layer package a module belongs to, if it is in one with rules."""
    return next((layer for layer in ALLOWED if _within(module, {layer})), None)


MODULES = list(_modules())


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_architecture_layers_import_only_what_they_may(module: str, path: Path) -> None:
    layer = _layer(module)
    if layer is None:
        pytest.skip(f"{module} is wiring at the top of the package; only the SDK rule applies")
    allowed = ALLOWED[layer] | {layer}
    wrong = {
        name for name in _imports(path) if name.split(".")[0] not in STDLIB and not _within(name, allowed)
    }
    assert not wrong, f"{module} ({layer}) must not import {sorted(wrong)}"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_architecture_only_the_claude_client_imports_the_model_sdk(module: str, path: Path) -> None:
    sdk = {name for name in _imports(path) if name.split(".")[0] in MODEL_SDK}
    assert module == MODEL_CLIENT or not sdk, f"{module} imports {sorted(sdk)}"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_architecture_only_settings_reads_the_environment(module: str, path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reads = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"})
        or (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(a.name == "environ" for a in node.names)
        )
    ]
    assert module == "bot.settings" or not reads, f"{module} reads the environment at lines {reads}"


def test_architecture_rules_see_every_layer() -> None:
    layers = {p.name for p in BOT.iterdir() if (p / "__init__.py").exists()}
    # console may import every layer; the others each have their rules above
    assert {f"bot.{name}" for name in layers} - {"bot.console"} == set(ALLOWED)
