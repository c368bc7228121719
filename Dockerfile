# The survey service: `docker build -t survey .` then
# `docker run -p 8000:8000 -v survey-data:/data survey`; configure with SURVEY_* variables.
FROM python:3.11-slim-bookworm

# WeasyPrint's system libraries (Pango, HarfBuzz) and a font for the PDF summaries.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /app --uid 10001 survey \
 && mkdir /data && chown survey /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY survey ./survey
COPY templates ./templates
COPY questionnaires ./questionnaires
# Editable install: the package finds templates/ beside it, as in a checkout.
RUN pip install --no-cache-dir -e .

ENV SURVEY_HOST=0.0.0.0 \
    SURVEY_PORT=8000 \
    SURVEY_DATABASE_URL=sqlite:////data/survey.db \
    SURVEY_QUESTIONNAIRES_DIR=/app/questionnaires
VOLUME /data
EXPOSE 8000
USER survey
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["survey", "serve"]
