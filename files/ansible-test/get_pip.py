"""Offline stand-in for the get-pip.py that ansible-test downloads from a host this network
cannot reach. It does what get-pip.py does, with the pip that Python ships (ensurepip) and
packages from the package index: install pip, then the requested packages.

scripts/test.sh copies it to ~/.ansible/test/cache/get_pip_<version>.py, where ansible-test looks.
"""

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}

# In a child process: ensurepip empties PIP_CONFIG_FILE in its own process, which would drop the
# machine's pip configuration (index, certificates) for the install below.
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
subprocess.check_call(
    [sys.executable, "-m", "pip", "install"] + [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
)
