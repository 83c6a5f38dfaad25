"""Consistent backups of the database and uploaded files, and restoring them.

SQLite is copied with its online backup API (a consistent snapshot while the server runs);
PostgreSQL with pg_dump in its custom format. The archive is a .tar.gz holding the dump, the
uploads folder and a manifest with the row count of every table, checked again on restore.
"""

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

from zoneops.core.db import versions

FORMAT = 1


class BackupError(RuntimeError):
    pass


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
    return counts


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["--host", db.get("HOST") or "localhost", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup(output: Path) -> dict:
    """Write the archive to ``output`` and return its manifest."""
    engine = _engine()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        connection.ensure_connection()
        if engine == "sqlite":
            dump = work / "database.sqlite3"
            target = sqlite3.connect(dump)
            with target:
                connection.connection.backup(target)
            target.close()
        else:
            dump = work / "database.pgdump"
            args, env = _pg_env()
            subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    *args,
                    "--file",
                    str(dump),
                    connection.settings_dict["NAME"],
                ],
                check=True,
                env=env,
                capture_output=True,
            )
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "database_file": dump.name,
            "tables": table_counts(),
        }
        tmp_output = output.with_suffix(output.suffix + ".partial")
        with tarfile.open(tmp_output, "w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
            archive.add(dump, arcname=dump.name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                archive.add(media, arcname="uploads")
        tmp_output.replace(output)  # never leave a half-written archive under the real name
    return manifest


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as archive:
            manifest = json.load(archive.extractfile("manifest.json"))
    except (KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{path} is not a zoneops backup archive ({exc}).") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has backup format {manifest.get('format')}, expected {FORMAT}.")
    return manifest


def restore(path: Path) -> dict:
    """Replace the database and uploads with the archive's; return the manifest."""
    manifest = read_manifest(path)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            f"The backup is of a {manifest['engine']} database; this installation uses {engine}."
        )
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(work, filter="data")
        dump = work / manifest["database_file"]
        connection.ensure_connection()
        if engine == "sqlite":
            source = sqlite3.connect(dump)
            with source:
                source.backup(connection.connection)
            source.close()
        else:
            connection.close()
            args, env = _pg_env()
            subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args,
                    "--dbname",
                    connection.settings_dict["NAME"],
                    str(dump),
                ],
                check=True,
                env=env,
                capture_output=True,
            )
        media = Path(settings.MEDIA_ROOT)
        if (work / "uploads").exists():
            if media.exists():
                shutil.rmtree(media)
            shutil.copytree(work / "uploads", media)
    counts = table_counts()
    differing = {
        name: (expected, counts.get(name))
        for name, expected in manifest["tables"].items()
        if counts.get(name) != expected
    }
    if differing:
        raise BackupError(f"Restored row counts differ from the backup's: {differing}")
    # The restore wrote past Django's cursor: figures cached from the data replaced go, and the
    # version moves on (zoneops.core.db.versions).
    versions.forget()
    versions.bump()
    return manifest
