"""Rewrite a graph: rules, the pattern language, rule sets, apply, replace, modes."""
