import subprocess
import sys
from importlib.metadata import version

import pytest
from threadpoolctl import threadpool_limits

import skedu
from skedu.__main__ import main
from skedu.utils import effective_n_threads
from skedu.utils._show_versions import _get_deps_info, _get_openmp_info, _get_sys_info


def test_installed_metadata_matches_package_version():
    # The wheel's metadata and skedu.__version__ come from one place.
    assert version("skedu") == skedu.__version__


def test_deps_info_lists_runtime_dependencies():
    deps_info = _get_deps_info()
    assert deps_info["skedu"] == skedu.__version__
    for name in ["numpy", "scipy", "scikit-learn", "threadpoolctl"]:
        assert deps_info[name] == version(name)


def test_sys_info():
    sys_info = _get_sys_info()
    assert sys_info["executable"] == sys.executable
    assert sys_info["python"].startswith(f"{sys.version_info.major}.{sys.version_info.minor}")


def test_openmp_info_names_the_runtime_and_follows_limits():
    openmp_info = _get_openmp_info()
    assert openmp_info["threads"] == effective_n_threads(None)
    if openmp_info["built with OpenMP"]:
        assert openmp_info["filepath"] is not None
        assert openmp_info["runtime"] in {"libgomp", "libomp", "libiomp", "vcomp"}
    with threadpool_limits(limits=1, user_api="openmp"):
        assert _get_openmp_info()["threads"] == 1


def test_show_versions_prints_every_section(capsys):
    skedu.show_versions()
    out = capsys.readouterr().out
    for expected in ["System:", "python:", "machine:", "Python dependencies:", "OpenMP:",
                     f"skedu: {skedu.__version__}", "numpy:", "scipy:", "scikit-learn:",
                     "threadpoolctl:", "built with OpenMP:", "threads:"]:
        assert expected in out


def test_command_line_version():
    result = subprocess.run(
        [sys.executable, "-m", "skedu", "--version"], capture_output=True, text=True, check=True
    )
    assert f"skedu: {skedu.__version__}" in result.stdout
    assert "OpenMP:" in result.stdout


def test_command_line_without_command_is_an_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "command is required" in capsys.readouterr().err
