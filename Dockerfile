# The pipeline's image: the official Airflow image plus this project, installed from the same uv.lock.
FROM apache/airflow:3.3.2-python3.11

# The weekly report's PNG charts are drawn with the fonts installed (vl-convert): without one they carry no text.
USER root
RUN apt-get update && apt-get install -y --no-install-recommends fonts-liberation && rm -rf /var/lib/apt/lists/*
USER airflow
WORKDIR /opt/project
COPY --chown=airflow:root pyproject.toml uv.lock README.md ./
RUN pip install --no-cache-dir uv==0.13.9 \
 && uv export --frozen --no-dev --no-emit-project --no-hashes -o /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt
COPY --chown=airflow:root . .
RUN pip install --no-cache-dir --no-deps -e .
# The dbt manifest the DAG draws a task per dbt model from (PIPELINE_DBT_TASKS=models, compose's default): the
# services start `airflow` directly, not through `pipeline airflow`, so the image carries it (dbt parse, no database).
RUN PIPELINE_DBT_TASKS=models python -m pipeline.dbt_manifest
# Where airflow-init writes the UI password file (docker-compose's airflow-auth volume starts as a copy of it).
RUN mkdir -p /opt/airflow/auth && chmod 770 /opt/airflow/auth
# No anonymous usage events from dbt (or any tool honouring it); dbt_project.yml says the same.
ENV DO_NOT_TRACK=1
