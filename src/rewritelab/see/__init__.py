"""See a graph: networkx views, analysis, value ranges, pictures."""
