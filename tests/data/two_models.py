import pymc as pm

with pm.Model() as first:
    pm.Normal("a")
with pm.Model() as second:
    pm.Normal("b")
