"""No module of the apps imports another module's private name (``from x import _y``).

A helper two modules share is public, in one module; an underscore name is its module's own
business and may change without notice.
"""

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("procurement", "workflows", "tenders", "documents", "publication")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(root: Path, packages: Iterable[str]) -> list[str]:
    """``path:line: module._name`` for every import of a private name of ``packages`` in the
    Python files under ``root/<package>`` (migrations left out)."""
    packages = tuple(packages)
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if not isinstance(node, ast.ImportFrom):
                    continue
                module = node.module or ""
                ours = node.level > 0 or module.split(".")[0] in packages
                for alias in node.names:
                    if ours and _is_private(alias.name):
                        where = path.relative_to(root)
                        found.append(f"{where}:{node.lineno}: {module}.{alias.name}")
    return found


def test_no_module_imports_another_modules_private_name():
    assert private_imports(ROOT, APPS) == []


def test_private_name_check_finds_a_planted_import(tmp_path):
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "prices.py").write_text("def _round(x):\n    return x\n\n__all__ = []\n")
    (package / "orders.py").write_text(
        "import os\n"
        "from os import _exit\n"  # not the project's: allowed
        "from shop import __all__\n"  # a dunder is not private
        "from shop.prices import __all__ as names\n"
        "from shop.prices import _round\n"  # the planted violation
    )
    (package / "lazy.py").write_text(
        "def f():\n    from .prices import _round\n    return _round\n"
    )
    (package / "migrations").mkdir()
    (package / "migrations" / "0001.py").write_text("from shop.prices import _round\n")

    assert private_imports(tmp_path, ["shop"]) == [
        "shop/lazy.py:2: prices._round",
        "shop/orders.py:5: shop.prices._round",
    ]
