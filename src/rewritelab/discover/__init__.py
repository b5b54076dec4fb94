"""Discovery: faster and more accurate forms of a graph, found by equality saturation."""
