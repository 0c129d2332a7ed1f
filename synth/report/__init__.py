"""`synth report`: retrieve → extract → verify → measure → synthesize → review → render, in a run directory."""
