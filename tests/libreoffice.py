"""Documents the project writes (.docx, .xlsx) converted to PDF by LibreOffice headless
and read back with pdftotext, for the tests that check what a document prints."""

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

LIBREOFFICE_TIMEOUT = 240
# libreoffice-calc-nogui ships no command of its own: its library marks it installed.
CALC_LIBRARY = Path("/usr/lib/libreoffice/program/libsclo.so")


def pdf_texts(
    files: dict[str, bytes],
    folder: Path,
    *,
    font: str | None = None,
    modes: tuple[str, ...] = ("-layout", "-raw"),
) -> dict[str, tuple[str, ...]]:
    """name → the pdftotext text of each file (one per mode in ``modes``; "" for
    pdftotext's default reading order) converted to PDF in one LibreOffice run with a fresh
    user profile (so that runs never share or lock one). Names need distinct stems:
    LibreOffice names each PDF after its source. With ``font``, each PDF must embed that
    font (pdffonts). Fails the test when a tool is missing."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    needs_calc = any(name.endswith(".xlsx") for name in files)
    if office is None or (needs_calc and not CALC_LIBRARY.exists()):
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
                [pdftotext, *([mode] if mode else []), "-enc", "UTF-8", str(pdf), "-"],
                capture_output=True,
                check=True,
            ).stdout.decode()
            for mode in modes
        )
    return texts
