"""Apache Superset's configuration for the creator pipeline (docker-compose services `superset-init` and `superset`).

Superset keeps its own metadata (users, the imported dashboard) in SQLite under SUPERSET_HOME, a named volume; the
marts it charts are the published serving file, mounted read-only (bundle/.../databases/creator_pipeline_serving.yaml).
"""

import os

# Signs sessions and encrypts saved connection secrets; compose refuses to start without it (see .env.example).
SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = f"sqlite:///{os.environ.get('SUPERSET_HOME', '/app/superset_home')}/superset.db"
