"""What ``pip install .`` ships: every package, and the ready toolsets under agentkit's name."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _packages_under(folder: Path, name: str) -> set[str]:
    return {
        ".".join([name, *init.parent.relative_to(folder).parts])
        for init in folder.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }


def test_every_package_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(config["setuptools"]["packages"])
    expected = _packages_under(ROOT / "agentkit", "agentkit") | _packages_under(
        ROOT / "tools", "agentkit.toolsets"
    )
    assert sorted(expected - listed) == []  # a new package must be added to pyproject.toml
    assert sorted(listed - expected) == []
    assert config["setuptools"]["package-dir"] == {"agentkit.toolsets": "tools"}


def test_ready_toolsets_resolve_from_any_directory(tmp_path: Path) -> None:
    """``tools.home`` in a run file or on the command line works outside the checkout, from
    the installed copy, and no top-level ``tools`` package is importable there."""
    code = (
        "import importlib.util, json, sys\n"
        "from agentkit.cli.loading import load_tools\n"
        "from pathlib import Path\n"
        "notes = []\n"
        "toolset = load_tools(['tools.home', 'tools.clock', 'tools.calc'], [Path.cwd()], notes.append)\n"
        "print(json.dumps({'names': sorted(toolset.names), 'notes': notes,\n"
        "    'top_level_tools': importlib.util.find_spec('tools') is not None,\n"
        "    'home': sys.modules['agentkit.toolsets.home'].__name__}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    import json

    found = json.loads(done.stdout)
    assert found["top_level_tools"] is False and found["notes"] == []
    assert {"apply_scene", "unlock_door", "now", "calculate"} <= set(found["names"])
    assert found["home"] == "agentkit.toolsets.home"


def test_the_emulator_server_without_its_extra_says_which_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['uvicorn'] = None  # as if agentkit[emulator] was not installed\n"
        "try:\n"
        "    from agentkit.testing.emulator import Emulator\n"
        "except ModuleNotFoundError as error:\n"
        "    print(error)\n"
        "from agentkit.testing.emulator import InProcessEmulator\n"
        "print(InProcessEmulator.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == [
        "the Emulator's web server needs uvicorn: pip install 'agentkit[emulator]' "
        "(InProcessEmulator, the same checks without a server, needs nothing)",
        "InProcessEmulator",
    ]
