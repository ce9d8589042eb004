"""Stand-in for the get-pip.py bootstrap script that `ansible-test` downloads from its own CI file
server (unreachable here): pip from the interpreter's bundled wheel (ensurepip), then the packages
ansible-test asks for, installed from the package index as usual. `make sanity` puts it where
ansible-test looks for its cached copy (~/.ansible/test/cache/get_pip_<version>.py)."""

import ensurepip
import os
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
# get-pip.py's own options (pip install knows neither): what to leave out of the bootstrap.
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
# ansible-test runs this with a trimmed environment: keep the machine's CA bundle for the index.
cert = os.environ.get("PIP_CERT") or "/etc/ssl/certs/ca-certificates.crt"
if os.path.exists(cert):
    args = ["--cert", cert, *args]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--upgrade", *args]))
