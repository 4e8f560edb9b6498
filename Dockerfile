# syntax=docker/dockerfile:1
# Build stage: compile wheels for the package and its dependencies.
FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir --upgrade pip wheel
COPY pyproject.toml README.md ./
COPY connector ./connector
# The packaged default rules are a symlink to config/scoring.yaml: the wheel copies the file.
COPY config ./config
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[postgres]'

# Runtime stage: only the wheels, a non-root user and the shipped scoring config.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LEADSCORE_DATA_DIR=/data \
    LEADSCORE_SCORING_CONFIG=/app/config/scoring.yaml \
    LEADSCORE_HOST=0.0.0.0 \
    LEADSCORE_PORT=8080
# libgomp is LightGBM's OpenMP runtime.
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 leadscore \
    && mkdir -p /data && chown leadscore /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY config ./config
USER leadscore
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('LEADSCORE_PORT', '8080'), timeout=4)"
CMD ["leadscore", "run"]
