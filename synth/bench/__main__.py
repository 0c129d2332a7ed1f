"""Child entry point: `python -m synth.bench SPEC.json RESULT.json [SETTINGS.json]`.

Run by `synth bench run` once per experiment, in its own process; the exit
code is 0 whenever a result file was written (ok, unsupported or failed), so
a non-zero exit or a missing file means the child itself died.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from synth.models.offline import stay_offline


def main(argv: list[str]) -> int:
    stay_offline()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if len(argv) not in (2, 3):
        print("usage: python -m synth.bench SPEC.json RESULT.json [SETTINGS.json]", file=sys.stderr)
        return 2
    from synth.bench.runner import execute
    from synth.core.bench_spec import BenchSpec
    from synth.settings import SynthSettings, load_settings

    spec = BenchSpec.model_validate_json(Path(argv[0]).read_text(encoding="utf-8"))
    if len(argv) == 3:
        data = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        data.pop("settings_md5", None)
        settings = SynthSettings(**data)
    else:
        settings = load_settings()
    result = execute(spec, settings)
    result.save(Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
