# syntax=docker/dockerfile:1
#
# stackbot's image, built the way uv's Docker guide builds an application
# (https://docs.astral.sh/uv/guides/integration/docker/, "Multi-stage builds" and "Intermediate
# layers"): the locked dependencies are installed in a layer of their own, then the project, into
# /app/.venv; the final stage copies only that environment onto the same Python image, without uv
# or the project's source tree.
#
#   docker build -t stackbot .
#   docker run --rm -e DATABASE_URL=... -e SLACK_BOT_TOKEN_FILE=/run/secrets/... stackbot serve
#
# No build tools are needed: every dependency in uv.lock ships a manylinux wheel for CPython 3.11
# on x86_64 and arm64. The fonts the pictures are drawn in (Noto Sans and its CJK, Arabic, Hebrew,
# Devanagari, Thai, symbol and emoji companions) are Python packages in uv.lock (manimgx-fonts,
# cvttf-NotoSansCJK-Regular), and the renderer reads no system font, so no font package is
# installed from Debian.

# CI tests on CPython 3.11; the build and final stages must use the same image, since the
# environment's `python` is a link to the interpreter's path.
ARG PYTHON_IMAGE=python:3.11-slim-trixie

FROM ${PYTHON_IMAGE} AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /bin/uv
# Compile bytecode at build time (a cold start then imports faster), copy files out of uv's cache
# mount instead of linking to it, and use the image's Python, never a downloaded one.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=0
WORKDIR /app
# The dependencies alone first: this layer is rebuilt only when uv.lock or pyproject.toml change.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --locked --no-dev --no-install-project --no-editable
COPY . /app
# --no-editable installs stackbot itself into the environment (templates, catalog and migrations
# included), so the final stage needs nothing from /app but .venv.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable


FROM ${PYTHON_IMAGE} AS runtime
# A fixed, unprivileged id, so a Kubernetes `runAsNonRoot` check can see it is not root.
RUN groupadd --system --gid 10001 stackbot \
    && useradd --system --uid 10001 --gid stackbot --home-dir /var/lib/stackbot \
        --create-home --shell /usr/sbin/nologin stackbot
COPY --from=build /app/.venv /app/.venv
# No DATABASE_URL here: an image default would clash with a DATABASE_URL_FILE given at run time
# (setting both is refused). Unset, it is sqlite:///stackbot.db in the working directory, the
# stackbot user's home: mount a volume there, or point DATABASE_URL(_FILE) at PostgreSQL.
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PORT=3000
WORKDIR /var/lib/stackbot
USER 10001:10001
EXPOSE 3000
# Readiness of the web process (`stackbot serve`): /readyz answers 200 only when the database
# answers and the templates and catalog are loaded. The image has no curl; Python's urllib raises
# on anything but a 2xx, which makes the check fail. Processes without a web port (clock, worker,
# migrate) set their own check or none: see compose.yaml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/readyz', timeout=4)"]
ENTRYPOINT ["stackbot"]
CMD ["serve"]
