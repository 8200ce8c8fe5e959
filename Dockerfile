# syntax=docker/dockerfile:1
# One image per Lateral service, built from the repository root:
#   docker build --build-arg SERVICE=search-api -t lateral-search-api .
# SERVICE is the service name without the `lateral-` prefix (ingest-gateway, cleanser, matcher,
# indexer, search-api, alerts, audit). docker-compose.yml builds all seven this way.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ARG SERVICE
ARG UV_VERSION=0.13.8
RUN test -n "${SERVICE}" || (echo "build argument SERVICE is required, e.g. --build-arg SERVICE=matcher" >&2; exit 1)
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
# Use the image's Python (the runtime stage has the same one at the same path), compile bytecode
# now because the runtime file system is read-only, and copy rather than hard-link from the cache.
ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
COPY . .
# --locked: fail if uv.lock is stale; --no-editable: the venv holds the code, so the runtime
# stage needs nothing but the venv.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --package "lateral-${SERVICE}" \
    && test -x "/app/.venv/bin/lateral-${SERVICE}"

FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
# ENV carries the build argument into the running container, where the entry point reads it.
ENV SERVICE=${SERVICE} \
    PATH=/app/.venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LATERAL_HTTP_HOST=0.0.0.0 \
    LATERAL_HTTP_PORT=8000
RUN groupadd --system --gid 10001 lateral \
    && useradd --system --uid 10001 --gid lateral --no-create-home --shell /usr/sbin/nologin lateral
COPY --from=builder /app/.venv /app/.venv
WORKDIR /app
# Numeric so Kubernetes can verify runAsNonRoot without a user database.
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${LATERAL_HTTP_PORT:-8000}/healthz', timeout=4)" || exit 1
# `exec` makes the service PID 1, so SIGTERM reaches it and it can finish its batch and commit.
# Arguments replace the default subcommand: `docker run lateral-matcher migrate`.
ENTRYPOINT ["/bin/sh", "-c", "exec \"lateral-${SERVICE}\" \"$@\"", "lateral-entrypoint"]
CMD ["serve"]
