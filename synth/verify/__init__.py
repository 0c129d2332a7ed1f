"""Verification of claims against evidence: numeric checks now, LM judge and calibration to come."""
