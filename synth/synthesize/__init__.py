"""The synthesize stage: verified claims become the Answer, the figures table and the sections.

It sits just below review and render, which read what it writes (the run record, `records.py`),
and above the stages whose output it combines (verify, measure).
"""
