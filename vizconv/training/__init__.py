"""Training and evaluating the bundled models on the data sets in ../shared/data."""
