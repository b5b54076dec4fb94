"""Logistic regression, N = 5,000 observations and D = 20 predictors: the
model bundled as ``logistic`` (the demo's), in the zoo."""

from rewritelab.core.targets import load_target

model = load_target("logistic").model
