"""HipOA training package: hip OA grader (DenseNet multitask, after von Schacky et al., Radiology 2020) and
femoral-head localiser. Models trained here on the bundled phantom data are synthetic-only, not for clinical use."""

__version__ = "0.1.0"
