import pytensor.tensor as pt

x = pt.dvector("x")
a = pt.log(x)
b = pt.exp(x)
