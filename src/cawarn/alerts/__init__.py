"""Alert detectors (surge, sustained shift, risk, flash rules), their calibration and scoring."""
