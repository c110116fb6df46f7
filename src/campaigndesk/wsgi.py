"""WSGI entry point (gunicorn campaigndesk.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaigndesk.settings")
application = get_wsgi_application()

# The objects of a loaded application live as long as the process: moved out of the
# collector's reach, they are not walked again by every full collection, which a request
# building thousands of rows (a rollup by county, a weekly series) would otherwise pay
# for (measured: a third of a province's rollup by county). With a pre-forking server the
# workers also keep sharing their memory pages with the master.
gc.freeze()
