"""The product under gunicorn with one extra URL, the minimal view the throughput benchmark
measures as its floor (``bench/throughput.py``). Never served in production."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_registry.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

settings.ROOT_URLCONF = "bench.throughput_urls"
application = get_wsgi_application()
