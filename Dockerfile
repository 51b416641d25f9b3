# The gridgov app for docker compose; the database is the official PostGIS image.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gridgov gridgov
COPY etl etl
COPY layers layers
COPY dashboard dashboard
RUN pip install --no-cache-dir .
COPY geodata geodata
EXPOSE 8050
CMD ["sh", "-c", "gridgov db upgrade && gridgov load geodata/demo && gridgov serve --host 0.0.0.0"]
