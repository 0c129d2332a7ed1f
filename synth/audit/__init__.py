"""`synth audit`: check the claims of an existing report or paper against the corpus."""
