"""The import contracts in pyproject.toml: every module has a layer, and a breach is caught."""

import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gpaitracker"


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _lint_imports(cwd: Path, *contract_ids: str) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the package found first on PYTHONPATH=cwd, with cwd's pyproject."""
    pytest.importorskip("importlinter", reason="import-linter comes with the 'dev' extra")
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    for contract_id in contract_ids:
        command += ["--contract", contract_id]
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_every_module_directly_under_the_package_is_in_a_layer():
    layers = _contracts()["layers"]
    assert layers["containers"] == ["gpaitracker"]
    layered = {
        name.strip().strip("()") for layer in layers["layers"] for name in re.split("[|:]", layer)
    }
    modules = {info.name for info in pkgutil.iter_modules([str(PACKAGE)])}
    unplaced = sorted(f"gpaitracker.{name}" for name in modules - layered)
    assert not unplaced, f"add to a layer of '{layers['name']}' in pyproject.toml: {unplaced}"
    gone = sorted(f"gpaitracker.{name}" for name in layered - modules)
    assert not gone, f"remove from '{layers['name']}' in pyproject.toml: {gone}"


@pytest.fixture
def scratch_copy(tmp_path) -> Path:
    """The package and its pyproject.toml in a scratch folder, analysed instead of the real one."""
    shutil.copytree(PACKAGE, tmp_path / "gpaitracker", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    found = subprocess.run(
        [sys.executable, "-c", "import gpaitracker; print(gpaitracker.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(found.strip()).is_relative_to(tmp_path), f"the copy is not analysed: {found}"
    return tmp_path


def test_unmodified_copy_gets_the_real_trees_layers_result(scratch_copy):
    copy = _lint_imports(scratch_copy, "layers")
    real = _lint_imports(ROOT, "layers")
    assert "Layers: doors, services, core, values" in real.stdout, real.stdout + real.stderr
    assert (copy.returncode, copy.stdout) == (real.returncode, real.stdout)


def test_breaches_in_the_copy_break_the_contracts_that_forbid_them(scratch_copy):
    package = scratch_copy / "gpaitracker"
    with (package / "rules.py").open("a", encoding="utf-8") as rules:
        rules.write("\nfrom gpaitracker.services import people  # noqa: E402, F401\n")
    with (package / "audit.py").open("a", encoding="utf-8") as audit:
        audit.write("\nimport PySide6  # noqa: E402, F401\n")
    (package / "newcomer.py").write_text('"""Written after the contract."""\n', encoding="utf-8")

    result = _lint_imports(scratch_copy)

    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "Layers: doors, services, core, values BROKEN" in out
    assert "gpaitracker.rules is not allowed to import gpaitracker.services" in out
    assert "gpaitracker.newcomer" in out.split("not listed as layers", 1)[1]
    assert "Qt only in gpaitracker.ui BROKEN" in out
    assert re.search(r"gpaitracker\.audit -> PySide6", out), out
