"""Small PyMC models shipped with rewritelab for the demo and the tests."""
