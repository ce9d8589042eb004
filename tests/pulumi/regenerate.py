"""Rewrite the golden plan and the fixture export (in Pulumi's schema, tests/pulumi/export_v3.py) after an intended change of the program:

    .venv/bin/python tests/pulumi/regenerate.py && git diff tests/pulumi/

Review the diff: it is exactly what the change does to the cloud.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from govops import cli
    from tests.pulumi.conftest import declare
    from tests.pulumi.export_v3 import export, validate

    lab = str(ROOT / "inventories" / "lab")
    for fmt in ("markdown", "json"):
        out = HERE / "golden" / f"lab-plan.{'md' if fmt == 'markdown' else 'json'}"
        cli.main(["cloud", "plan", "-i", "inventories/lab", f"--{fmt}", "-o", str(out)])
    _, _, decl = declare(Path(lab), "lab")
    data = export(decl)
    validate(data)
    (HERE / "fixtures" / "lab-export.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
