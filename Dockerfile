# CPIMS application image: the web server (default command), the Celery worker and Celery beat
# all run from this one image with different commands (see docker-compose.yml).
FROM python:3.11-slim

# PYTHONPATH: the code runs from /app, which also holds the templates and static files that the
# installed package does not carry; putting /app first keeps every process (gunicorn, celery,
# manage.py) on the same copy.
# STATIC_ROOT: collectstatic writes here at build time and whitenoise reads its manifest from
# here at run time, so the two must agree: do not override STATIC_ROOT when running the image.
# WEB_CONCURRENCY: gunicorn reads its number of worker processes from it.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=cpims.settings \
    CPIMS_ENV=production \
    STATIC_ROOT=/app/staticfiles \
    WEB_CONCURRENCY=3

# Pango lays out the case summary PDF (WeasyPrint); DejaVu Sans gives the punctuation the
# vendored Khmer font lacks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric id, so orchestrators that insist on a non-root user can verify it.
RUN groupadd --system --gid 10001 cpims \
    && useradd --system --uid 10001 --gid cpims --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin cpims

# The audit trail's anchors, the case exports and the encrypted case documents are written here
# (AUDIT_ANCHOR_PATH, EXPORTS_DIR and DOCUMENTS_DIR in docker-compose.yml). A volume mounted on one starts with this folder's owner, so
# the application can write to it.
RUN mkdir -p /var/lib/cpims/audit-anchors /var/lib/cpims/exports /var/lib/cpims/documents \
    && chown 10001:10001 /var/lib/cpims/audit-anchors /var/lib/cpims/exports \
       /var/lib/cpims/documents \
    && chmod 700 /var/lib/cpims/audit-anchors /var/lib/cpims/exports /var/lib/cpims/documents

WORKDIR /app

COPY . .

# Install the project and its pinned dependencies, then drop the in-tree build leftovers.
RUN pip install --no-cache-dir -c constraints.txt . \
    && rm -rf build ./*.egg-info

# Gather static files with the production settings. The secret keys, host name, service URLs
# (never contacted by collectstatic) and data folder exist only for this one command: the keys are random, never written to a layer, and not used at
# run time; whatever the settings create in the data folder is thrown away.
RUN SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    AUDIT_ANCHOR_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=sqlite:////tmp/cpims-build/unused.sqlite3 \
    REDIS_URL=redis://build.invalid:6379/0 \
    CPIMS_VAR_DIR=/tmp/cpims-build \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/cpims-build

# The code and static files stay owned by root: the application cannot modify itself.
USER 10001:10001

EXPOSE 8000

# --no-control-socket: gunicorn's runtime control socket is not used in a container and would
# need a writable home directory. --worker-tmp-dir /dev/shm keeps worker heartbeats off the
# container's overlay file system.
CMD ["gunicorn", "cpims.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket"]
