"""Check a rewrite: inputs, exact values, rounding noise, the comparison kernel, rule and model checks."""
