# Build a wheel-only environment from the same pins as the Makefile, then run it as a
# non-root user. Build: docker build -t delegate-bot .   Run: docker run --env-file .env -p 3000:3000 delegate-bot
FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduler ./scheduler
COPY storage ./storage
COPY sandbox ./sandbox
RUN /opt/venv/bin/pip install -c constraints.txt .

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 delegate
COPY --from=build /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH" \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=sqlite:////home/delegate/data/delegate-bot.sqlite3 \
    PYTHONUNBUFFERED=1
USER delegate
WORKDIR /home/delegate
RUN mkdir -p /home/delegate/data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os,sys,urllib.request; sys.exit(0 if urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT','3000')}/healthz\", timeout=4).status == 200 else 1)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["delegate-bot"]
CMD ["run"]
