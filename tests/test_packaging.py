"""The package as users get it: every sub-package listed, and a built wheel that works anywhere."""

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

from tests.doubles.constants import PROJECT_ROOT

DATA_PACKAGES = {"bot._knowledge": "knowledge", "bot._prompts": "prompts"}


def test_packaging_lists_every_package_of_bot() -> None:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join(init.parent.relative_to(PROJECT_ROOT).parts)
        for init in (PROJECT_ROOT / "bot").rglob("__init__.py")
    }
    assert set(config["packages"]) == found | set(DATA_PACKAGES)
    assert config["package-dir"] == DATA_PACKAGES


def _run(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> "subprocess.CompletedProcess[str]":
    """Run a command, failing the test with its output if it fails."""
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=180, check=False, cwd=cwd, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.mark.slow
def test_packaging_wheel_answers_offline_from_any_directory(tmp_path: Path) -> None:
    wheels, target, elsewhere = tmp_path / "dist", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(PROJECT_ROOT)])
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    wheel = next(wheels.glob("framework_advisor-*.whl"))
    _run([*pip, "--python", str(python), "install", "--no-deps", "-q", str(wheel)])
    # The dependencies come from the test environment, without its editable copy of the project.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "ANTHROPIC_", "SLACK_"))}
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
    command = [
        str(target / "bin" / "framework-advisor"),
        "ask",
        "--offline",
        "--json",
        "Django or Flask for a blog?",
    ]
    answer = json.loads(_run(command, cwd=elsewhere, env=env).stdout)
    assert answer["recommendation"] == "django"
    assert answer["sources"]  # the knowledge was found inside the installed package
    where = _run([str(python), "-c", "import bot; print(bot.__file__)"], cwd=elsewhere, env=env).stdout
    assert Path(where.strip()).is_relative_to(target)
