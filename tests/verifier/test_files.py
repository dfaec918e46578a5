"""Report files are written whole (through a rename) and with the permissions an ordinary write gives."""

import os
import stat

from dropout_verify.properties.files import write_atomic


def test_written_file_has_the_umask_mode_and_no_temporary_is_left(tmp_path):
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "sub" / "report.json", "{}")
    finally:
        os.umask(umask)
    path = tmp_path / "sub" / "report.json"
    assert path.read_text() == "{}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["report.json"]
