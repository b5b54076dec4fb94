"""The ground every verb stands on: targets, model graphs, points, errors, bundled models."""
