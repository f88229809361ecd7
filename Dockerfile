# MLWA production image: one image for the web process (gunicorn), the Celery workers and beat.
# See docker-compose.yml; settings come from the environment (.env.example lists them).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MLWA_VAR_DIR=/app/var

# WeasyPrint's runtime libraries (PDF reports) and a font; nothing else.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system mlwa \
    && useradd --system --gid mlwa --create-home --home-dir /home/mlwa --shell /usr/sbin/nologin mlwa

WORKDIR /app

# The pinned dependencies first, read from pyproject.toml alone, so that a code change reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code, templates/ and static/ included. The app finds templates and static files relative to its
# source (BASE_DIR), so it runs from /app: the project is installed editable, which imports mlwa, lens
# and reviews from here rather than from a copy in site-packages that would lack templates/ and static/.
COPY . .
# The folders docker-compose.yml mounts volumes on: created here, owned by mlwa, so that a new volume
# takes that owner. Report files live in /app/reports, apart from media.
RUN pip install --no-cache-dir --no-deps -e . \
    && mkdir -p /app/var/media /app/reports \
    && chown -R mlwa:mlwa /app/var /app/reports

USER mlwa
EXPOSE 8000
# The web process; docker-compose.yml runs deploy/worker and deploy/beat from the same image.
CMD ["deploy/web"]
