import pytensor.tensor as pt

x = pt.dvector("x")
y = pt.exp(x)
out = pt.log(y).sum()
