"""The government cloud as code: intent from the source of truth, Pulumi components, policies, plan and drift.

The Pulumi project itself lives in ``pulumi/`` (a thin ``__main__.py`` that calls
:func:`govops.cloud.program.declare_cloud`); everything it needs is here so it can be
imported, tested under mocks and reused by ``govops cloud ...``.
"""
