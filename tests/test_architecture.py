"""The apps depend one way (audits <- moderation <- reports <- demo): the layers contract in
pyproject.toml, which `make test` runs, must refuse an import that goes the wrong way."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
APPS = ("audits", "moderation", "reports", "demo")


def _contract_config() -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [contract] = [c for c in config["contracts"] if c["type"] == "layers"]
    layers = ", ".join(f'"{layer}"' for layer in contract["layers"])
    roots = ", ".join(f'"{app}"' for app in config["root_packages"])
    return (
        f"[tool.importlinter]\nroot_packages = [{roots}]\n\n"
        f'[[tool.importlinter.contracts]]\nname = "{contract["name"]}"\n'
        f'type = "{contract["type"]}"\nlayers = [{layers}]\n'
    )


def _lint(tmp_path: Path, modules: dict[str, str]) -> subprocess.CompletedProcess:
    for app in APPS:
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    for name, source in modules.items():
        (tmp_path / name).write_text(source)
    (tmp_path / "pyproject.toml").write_text(_contract_config())
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tmp_path / "pyproject.toml")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


@pytest.fixture(autouse=True)
def _needs_lint_imports():
    assert LINT_IMPORTS.exists(), "import-linter is a test dependency: make install-test"


def test_the_contract_allows_imports_down_the_layers(tmp_path):
    result = _lint(
        tmp_path,
        {
            "moderation/services.py": "import audits\n",
            "reports/selectors.py": "import moderation\nimport audits\n",
            "demo/loader.py": "import reports\nimport moderation\n",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


@pytest.mark.parametrize(
    "module, source",
    [
        ("audits/services.py", "import moderation.services\n"),
        ("audits/views.py", "from reports import selectors\n"),
        ("moderation/views.py", "import reports\n"),
        ("reports/views.py", "import demo\n"),
    ],
)
def test_the_contract_refuses_an_import_up_the_layers(tmp_path, module, source):
    result = _lint(tmp_path, {module: source})
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_the_project_keeps_the_contract():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_report_selectors_do_not_import_the_targets_or_rendering():
    """The old selectors <-> targets cycle stays broken: reports.figures composes the two."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    forbidden = [c for c in config["contracts"] if c["type"] == "forbidden"]
    assert any(
        c["source_modules"] == ["reports.selectors"]
        and {"reports.targets", "reports.rendering"} <= set(c["forbidden_modules"])
        for c in forbidden
    )


def test_every_transactional_test_restores_the_migrated_data():
    # A transactional test without serialized_rollback ends with a flush that makes the content
    # types again in another order; the next test that restores the migrated data (the browser
    # journeys) then collides with them (UNIQUE constraint failed: django_content_type).
    tests = Path(__file__).resolve().parent
    missing = [
        str(path.relative_to(tests))
        for path in tests.rglob("test_*.py")
        for line in path.read_text().splitlines()
        if "django_db(transaction=True" in line and "serialized_rollback=True" not in line
    ]
    assert missing == []
