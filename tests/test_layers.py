"""The import contracts of ``pyproject.toml`` (``lint-imports``) hold on the code, and each one
breaks when an import it forbids is planted in a copy of the code.

The linter runs in a subprocess from the tree's root: it finds the packages through the current
directory, which for the copy must not be the project's own, already imported here.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("procurement", "workflows", "tenders", "documents", "publication")
LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-c", LINT, "--no-cache", "--no-logo"]
    for contract in contracts:
        args += ["--contract", contract]
    return subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=120, check=False)


def test_the_code_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The apps' Python files and ``pyproject.toml``, copied as they are."""
    root = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", root)
    for app in APPS:
        shutil.copytree(
            ROOT / app, root / app, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        for path in (root / app).rglob("*"):
            if path.is_file() and path.suffix != ".py":
                path.unlink()
    return root


# contract id, module whose copy gets the import, the import (indented: inside a function,
# where a lazy import used to hide a cycle), and what the report names.
PLANTED = [
    ("apps", "workflows/services.py", "import tenders.models", "workflows is not allowed"),
    ("apps", "tenders/process/services.py", "import documents.kinds", "tenders is not allowed"),
    (
        "documents-window",
        "documents/services.py",
        "    from tenders.process.selectors import tender_get_for_user",
        "documents.services -> tenders.process.selectors",
    ),
    (
        "tender-areas",
        "tenders/process/services.py",
        "import tenders.award.evaluation",
        "tenders.process is not allowed to import tenders.award",
    ),
    (
        "tender-areas",
        "tenders/consultation/services.py",
        "import tenders.award.notifications",
        "tenders.consultation is not allowed to import tenders.award",
    ),
    (
        "tender-areas",
        "tenders/procedures/guards.py",
        "    from tenders.process.models import Tender",
        "tenders.procedures is not allowed to import tenders.process",
    ),
    (
        "tender-models",
        "tenders/process/models.py",
        "    from tenders.award.services.awards import awards_step",
        "tenders.process.models is not allowed to import tenders.award.services",
    ),
    (
        "tenders-acyclic",
        "tenders/award/evaluation.py",
        "    from tenders.award.services.bids import abnormal_flag",
        "No cycles are allowed in tenders.award",
    ),
]


@pytest.mark.parametrize(
    ("contract", "module", "statement", "report"),
    PLANTED,
    ids=[f"{contract}:{module}" for contract, module, *_rest in PLANTED],
)
def test_a_contract_breaks_on_a_planted_import(copy, tmp_path, contract, module, statement, report):
    tree = tmp_path / "tree"
    shutil.copytree(copy, tree)
    assert lint_imports(tree, contract).returncode == 0, "the copy keeps the contract"

    target = tree / module
    if statement.startswith(" "):
        statement = f"def _planted():\n{statement}"
    target.write_text(f"{target.read_text()}\n\n{statement}\n")
    result = lint_imports(tree, contract)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert report in result.stdout, result.stdout
