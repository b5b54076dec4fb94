"""rewritelab's shipped rule library (installed as ``rewritelab._rewrites``)."""
