# syntax=docker/dockerfile:1
# Warroom's image: `docker build -t warroom .`, then for instance
#   docker run -d -p 3000:3000 -v warroom-data:/data --env-file .env warroom
# tests/test_packaging.py follows these steps outside a container (no engine runs in CI):
# keep the two in step.

# Stage 1: Warroom's wheel, then a wheel of every dependency, so the runtime stage
# installs with no index and needs no compiler.
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src/ src/
RUN pip wheel --no-deps --wheel-dir /wheels . \
 && pip wheel --wheel-dir /wheels /wheels/warroom-*.whl

# Stage 2: the slim runtime. No build tools; the wheels are mounted, not copied, so
# they add no layer.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=sqlite+aiosqlite:////data/warroom.db
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels /wheels/warroom-*.whl \
 && groupadd --system --gid 10001 warroom \
 && useradd --system --uid 10001 --gid warroom --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin warroom \
 && install -d -o warroom -g warroom -m 0750 /data
# The SQLite file (the default DATABASE_URL); unused when DATABASE_URL names PostgreSQL.
VOLUME ["/data"]
WORKDIR /data
# Numeric, so Kubernetes' runAsNonRoot can check it.
USER 10001:10001
EXPOSE 3000
# slim has no curl: ask /healthz with Python (exits non-zero on an error or a 503).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/healthz', timeout=3)"]
CMD ["warroom", "serve"]
