"""A static-files finder that exposes single files from node_modules (settings.VENDOR_FILES),
so that only the files the pages use are served and collected (echarts' dist folder alone
is 51 MB of builds and source maps the pages never load)."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class VendorFileFinder(BaseFinder):
    """Finds ``settings.VENDOR_FILES`` ({static path: file on disk}) and lists them for
    collectstatic."""

    def __init__(self, *args, **kwargs):
        self.files: dict[str, Path] = {
            name: Path(path) for name, path in getattr(settings, "VENDOR_FILES", {}).items()
        }

    def check(self, **kwargs):
        return [
            Error(
                f"Front-end file {path} is missing (run `npm ci`).",
                hint="make setup installs the npm packages listed in package.json.",
                id="web.E001",
            )
            for path in self.files.values()
            if not path.is_file()
        ]

    def find(self, path, find_all=False, **kwargs):
        found = self.files.get(path)
        if found is None or not found.is_file():
            return [] if find_all else None
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns):
        for name, path in self.files.items():
            if path.is_file():
                storage = FileSystemStorage(location=str(path.parent))
                # collectstatic copies storage.path(file) to ``prefix/file``.
                storage.prefix = str(Path(name).parent)
                yield path.name, storage
