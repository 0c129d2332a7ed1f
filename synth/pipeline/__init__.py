"""The stages of a run as objects (`stages`), the context they share (`context`), and the stage adapters the
orchestrators call: retrieval, verification and measurement of a run's claims, the run directory and progress."""
