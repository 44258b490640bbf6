# One image for every Airflow service of docker-compose.yml, built from the same lock
# file as the local run (uv.lock), so containers and `make run` use the same packages.
FROM python:3.11-slim-bookworm
# NUMBA_CACHE_DIR: the file system is read-only at run time (docker-compose.yml), where Numba
# could not cache its kernels at all; the airflow-home volume starts with them compiled.
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH AIRFLOW_HOME=/opt/airflow NUMBA_CACHE_DIR=/opt/airflow/numba-cache
RUN pip install uv==0.13.8 && useradd --create-home --uid 50000 airflow
WORKDIR /opt/constops
COPY pyproject.toml uv.lock README.md ./
COPY include ./include
RUN uv sync --frozen --no-dev
COPY dags ./dags
COPY plugins ./plugins
COPY scripts ./scripts
COPY data ./data
# Named volumes start as copies of these directories, so the image user owns them.
RUN mkdir -p /opt/airflow /data/archive /data/work && python scripts/compile_kernels.py \
    && chown -R airflow /opt/airflow /data
USER airflow
