# The gridgov app for docker compose; the database is the official PostGIS image.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gridgov gridgov
COPY etl etl
COPY layers layers
COPY api api
COPY dashboard dashboard
RUN pip install --no-cache-dir .
# the demo generator (gridgov-start makes the demo as of the day it starts) and the tests' copy, geodata/demo
COPY geodata geodata
COPY scripts/docker-start.sh /usr/local/bin/gridgov-start
ENV GRIDGOV_HOME=/var/lib/gridgov
RUN mkdir -p /var/lib/gridgov && chmod 700 /var/lib/gridgov
EXPOSE 8050
CMD ["gridgov-start"]
