"""The Prometheus config and alert rules are valid, and the rule unit tests pass (promtool)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.ops.promtool import run_promtool

PROMETHEUS = Path(__file__).resolve().parents[3] / "deploy" / "prometheus"
RULE_FILES = sorted((PROMETHEUS / "rules").glob("*.yml"))
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))


def test_there_are_rules_and_rule_tests() -> None:
    assert RULE_FILES, f"no rule files in {PROMETHEUS / 'rules'}"
    assert RULE_TESTS, f"no promtool rule tests in {PROMETHEUS / 'tests'}"


def test_scrape_config_is_valid() -> None:
    result = run_promtool("check", "config", "--syntax-only", str(PROMETHEUS / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("rules", RULE_FILES, ids=lambda p: p.name)
def test_rules_are_valid(rules: Path) -> None:
    result = run_promtool("check", "rules", str(rules))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("tests", RULE_TESTS, ids=lambda p: p.name)
def test_rule_unit_tests_pass(tests: Path) -> None:
    result = run_promtool("test", "rules", tests.name, cwd=tests.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_unit_test_and_a_runbook() -> None:
    import yaml

    alerts = {
        rule["alert"]: rule
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }
    tested = {
        case["alertname"]
        for path in RULE_TESTS
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert sorted(set(alerts) - tested) == [], "alerts never shown to fire in deploy/prometheus/tests"
    runbook = (PROMETHEUS.parents[1] / "docs" / "operations.md").read_text().lower()
    for name, rule in alerts.items():
        anchor = rule["annotations"]["runbook_url"].split("#", 1)[1]
        assert anchor == name.lower()
        assert f"### {name.lower()}" in runbook, f"docs/operations.md has no '### {name}' runbook section"


GRAFANA = PROMETHEUS.parent / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))


def dashboard_exprs(path: Path) -> list[str]:
    import json

    return [
        target["expr"]
        for panel in json.loads(path.read_text())["panels"]
        for target in panel.get("targets", [])
        if "expr" in target
    ]


@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_queries_are_valid_promql(dashboard: Path, tmp_path: Path) -> None:
    import yaml

    exprs = dashboard_exprs(dashboard)
    assert exprs, f"{dashboard.name} has no queries"
    # promtool parses PromQL when it checks rules: wrap every query in a recording rule.
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query_{i}", "expr": e.replace("$__rate_interval", "5m")}
                    for i, e in enumerate(exprs)
                ],
            }
        ]
    }
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump(rules))
    result = run_promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_uses_the_provisioned_datasource(dashboard: Path) -> None:
    import json

    import yaml

    provisioned = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uids = {ds["uid"] for ds in provisioned["datasources"]}
    board = json.loads(dashboard.read_text())
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in board["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] in uids, panel["title"]
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "herald.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
