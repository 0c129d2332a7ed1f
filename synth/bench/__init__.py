"""The bundled benchmark runner: specs in, measured results out, one child process per experiment.

Layout: `spec.py`/`result.py` (the versioned schemas), `launch.py` (parent:
subprocess, timeout, executors), `runner.py` + `decode.py` (child: load,
generate, measure), `presets.py` (random-weight architectures), `precision.py`,
`problems.py` + `sandbox/` + `passk.py` (HumanEval/MBPP scoring). The tables
for `synth bench show/compare` are `synth.render.bench`.
"""
