"""Rendered files converted to PDF by LibreOffice headless and read back with pdftotext,
for the tests that check what an issued document prints."""

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

LIBREOFFICE_TIMEOUT = 240
# libreoffice-calc-nogui ships no command of its own: its library marks it installed.
CALC_LIBRARY = Path("/usr/lib/libreoffice/program/libsclo.so")


def pdf_texts(
    files: dict[str, bytes], folder: Path, *, font: str | None = None
) -> dict[str, tuple[str, str]]:
    """name → (pdftotext -layout, -raw) text of each file converted to PDF in one
    LibreOffice run with a fresh user profile (so that runs never share or lock one).
    Names need distinct stems: LibreOffice names each PDF after its source. With ``font``,
    each PDF must embed that font (pdffonts). Fails the test when a tool is missing."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or not CALC_LIBRARY.exists():
        pytest.fail(
            "LibreOffice Writer and Calc are needed: run `make test` as root, or apt-get "
            "install libreoffice-writer-nogui libreoffice-calc-nogui"
        )
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext is not installed: apt-get install poppler-utils")
    sources = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        sources.append(path)
    profile = folder / f"lo-profile-{uuid.uuid4().hex}"
    result = subprocess.run(
        [
            office,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, sources),
        ],
        capture_output=True,
        timeout=LIBREOFFICE_TIMEOUT,
        check=False,
    )
    texts = {}
    for source in sources:
        pdf = source.with_suffix(".pdf")
        assert pdf.exists(), (source.name, result.stdout, result.stderr)
        assert pdf.read_bytes().startswith(b"%PDF-")
        if font is not None:
            fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True)
            assert font.encode() in fonts.stdout, source.name
        texts[source.name] = tuple(
            subprocess.run(
                [pdftotext, mode, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
            ).stdout.decode()
            for mode in ("-layout", "-raw")
        )
    return texts
