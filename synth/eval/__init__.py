"""Measuring synth's stages on labelled data (`synth eval ...`)."""
