"""Accessibility checks with axe-core (bundled by axe-playwright-python, nothing downloaded).

``assert_accessible(page)`` runs axe on the page as it is now (after a refused form, after a
flash message…) and fails on any violation whose impact is serious or critical, listing each rule
with the first elements it found, so the failure says what to fix.
"""

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_axe = Axe()


def serious_violations(page) -> list[dict]:
    """The serious and critical axe violations of the page currently shown."""
    # A link just clicked may still be loading its page: axe on a document not yet there fails
    # ("Cannot read properties of null (reading 'documentElement')", seen once in CI).
    page.wait_for_load_state("load")
    results = _axe.run(page)
    return [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in BLOCKING_IMPACTS
    ]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} — {'; '.join(targets)}"
        )
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fail when axe finds a serious or critical violation on the page shown now."""
    violations = serious_violations(page)
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"
