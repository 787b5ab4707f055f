"""Safe output files: atomic writes and safe names."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

__all__ = ["atomic_write", "safe_stem"]


def atomic_write(path: str | Path, content: str | bytes) -> Path:
    """Write ``content`` to a temporary file beside ``path``, then rename it into place.

    An interrupted run never leaves a half-written file under the final name,
    and two runs writing the same file at once each leave a complete file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_stem(name: str, *, default: str = "report", max_len: int = 80) -> str:
    """A file-name stem with no path separators, no leading dots, ASCII only.

    >>> safe_stem("../../etc/passwd")
    'etc_passwd'
    >>> safe_stem("Batch 7 (März)")
    'Batch_7_Marz'
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = _UNSAFE.sub("_", text).strip("._-")
    text = re.sub(r"_+", "_", text).replace("..", ".")
    return text[:max_len].strip("._-") or default
