"""Entry point for `pulumi preview/up`: everything lives in govops.cloud (an importable package).

This directory must never have an __init__.py: a package named `pulumi` would shadow the SDK.
"""

from govops.cloud.program import main

main()
